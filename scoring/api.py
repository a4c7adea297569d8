"""POST /api/v1/scores/evaluate/: every score for one patient's lesions; stores nothing."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .calculators import ScoringInputError, evaluate_request
from .serializers import (
    FieldErrorsSerializer,
    ScoreEvaluationRequestSerializer,
    ScoreEvaluationResponseSerializer,
)


class ScoreEvaluateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="scores_evaluate",
        summary="Evaluate every score for a patient and their spinal lesions (stores nothing)",
        request=ScoreEvaluationRequestSerializer,
        responses={
            200: ScoreEvaluationResponseSerializer,
            400: OpenApiResponse(FieldErrorsSerializer, description="field path -> reasons"),
            401: OpenApiResponse(description="not authenticated"),
            403: OpenApiResponse(description="not allowed"),
            415: OpenApiResponse(description="the body is not application/json"),
        },
        tags=["scores"],
    )
    def post(self, request: Request) -> Response:
        try:
            result = evaluate_request(request.data)
        except ScoringInputError as error:
            return Response(error.errors, status=400)
        return Response(result)
