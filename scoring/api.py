"""POST /api/v1/scores/evaluate/: every score for one patient's lesions; stores nothing."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tumorboard.api_errors import errors

from .calculators import ScoringInputError, evaluate_request
from .serializers import ScoreEvaluationRequestSerializer, ScoreEvaluationResponseSerializer


class ScoreEvaluateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="scores_evaluate",
        summary="Evaluate every score for a patient and their spinal lesions (stores nothing)",
        request=ScoreEvaluationRequestSerializer,
        responses={
            200: ScoreEvaluationResponseSerializer,
            **errors(400, 401, 403),
            415: OpenApiResponse(description="the body is not application/json"),
        },
        tags=["scores"],
    )
    def post(self, request: Request) -> Response:
        try:
            result = evaluate_request(request.data)
        except ScoringInputError as error:
            # The core's field paths (``lesions[0].levels[1]``) are the 400 body as they are.
            raise ValidationError(error.errors) from None
        return Response(result)
