"""REST endpoints of the cases app, under /api/v1/. Thin: validate, call one selector or service,
serialize. Every case endpoint starts from ``case_get_visible`` / ``case_list_visible_to``: a case
outside the caller's care team is a 404, whatever the method."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tumorboard.api import IF_NONE_MATCH, NOT_MODIFIED, conditional_response
from tumorboard.api_errors import errors, validated
from tumorboard.models import User

from . import audit, selectors, services
from .filters import CaseFilter
from .models import Case, SpinalLesion
from .serializers import (
    AssessmentCreateSerializer,
    AssessmentSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseListSerializer,
    CaseUpdateSerializer,
    LesionCreateSerializer,
    LesionSerializer,
    PhaseConflictSerializer,
    PhaseEventSerializer,
    PhaseStaySerializer,
    TransitionCreateSerializer,
    VersionConflictSerializer,
)


class _CaseView(APIView):
    @property
    def actor(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def visible_case(self, case_id: int, *, record: bool) -> Case:
        return selectors.case_get_visible(user=self.actor, case_id=case_id, record=record)


@extend_schema(tags=["cases"])
class CaseListCreateView(_CaseView, generics.ListAPIView):
    """Cases of the caller's care teams in (updated_at, id) order; cursor pagination, so that a
    client polling with ``updated_since`` or following ``next`` misses no change."""

    serializer_class = CaseListSerializer
    filterset_class = CaseFilter

    def get_queryset(self) -> QuerySet[Case, selectors.CaseListRow]:
        return selectors.case_list_for_display(user=self.actor)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        # Every row's next step in one query (cases.selectors.case_next_steps).
        steps = {case.pk: step for case, step in
                 selectors.case_next_steps(page, self.actor.role)}
        serializer = self.get_serializer(
            page, many=True, context={**self.get_serializer_context(), "next_steps": steps})
        return self.get_paginated_response(serializer.data)

    @extend_schema(operation_id="cases_list", responses={200: CaseListSerializer(many=True),
                                                         **errors(400, 401)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = self.list(request, *args, **kwargs)
        shown = [item["id"] for item in response.data.get("results", [])]
        audit.record_list_read(actor=self.actor, case_ids=shown, what="case_list_api")
        return response

    @extend_schema(
        operation_id="cases_create",
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer, **errors(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        data = validated(CaseCreateSerializer, request.data)
        new_patient = data.pop("patient", None)
        patient_id = data.pop("patient_id", None)
        if new_patient is not None:
            case = services.case_create_with_patient(patient=new_patient, actor=self.actor,
                                                     **data)
        else:
            patient = selectors.patient_list_visible_to(user=self.actor).filter(
                pk=patient_id).first()
            if patient is None:
                raise ValidationError({"patient_id": "no such patient among yours"})
            case = services.case_create(patient=patient, actor=self.actor, **data)
        case = self.visible_case(case.pk, record=False)
        body = CaseDetailSerializer(selectors.case_status(case=case)).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["cases"])
class CaseDetailView(_CaseView):
    @extend_schema(operation_id="cases_retrieve", parameters=[IF_NONE_MATCH],
                   responses={200: CaseDetailSerializer, 304: NOT_MODIFIED,
                              **errors(401, 404)})
    def get(self, request: Request, case_id: int) -> Response:
        # The answer names the teams by id (CaseCareTeamSerializer): their rows are not read.
        case = selectors.case_get_visible(user=self.actor, case_id=case_id, teams=False)
        return conditional_response(
            request, CaseDetailSerializer(selectors.case_status(case=case)).data)

    @extend_schema(
        operation_id="cases_partial_update",
        request=CaseUpdateSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False,
                                     description="the version read, instead of `version`")],
        responses={200: CaseDetailSerializer, **errors(400, 401, 403, 404),
                   409: OpenApiResponse(VersionConflictSerializer, description="stale version")},
    )
    def patch(self, request: Request, case_id: int) -> Response:
        case = self.visible_case(case_id, record=False)
        data = validated(CaseUpdateSerializer, request.data, partial=True, instance=case)
        version = data.pop("version", None)
        if version is None:
            version = _if_match(request.headers.get("If-Match"))
        if version is None:
            raise ValidationError({"version": "send the version you read (or an If-Match header)"})
        oncologists = data.pop("oncologists", None)
        services.case_update(case=case, actor=self.actor, expected_version=version,
                             oncologists=oncologists, **data)
        case = self.visible_case(case_id, record=False)
        return Response(CaseDetailSerializer(selectors.case_status(case=case)).data)


def _if_match(header: str | None) -> int | None:
    if not header:
        return None
    try:
        version = int(header.strip().strip('"').removeprefix("W/").strip('"'))
    except ValueError:
        return None
    return version if 1 <= version < 2**31 else None  # a version column is 32 bits


@extend_schema(tags=["cases"])
class CaseLesionCreateView(_CaseView):
    @extend_schema(
        operation_id="cases_lesions_create",
        summary="Add a lesion with its first study, or a study of a lesion (lesion_id)",
        request=LesionCreateSerializer,
        responses={201: LesionSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = self.visible_case(case_id, record=False)
        data = validated(LesionCreateSerializer, request.data)
        lesion_id = data.pop("lesion_id", None)
        if lesion_id is not None:
            existing = SpinalLesion.objects.filter(case=case, pk=lesion_id).first()
            if existing is None:
                raise ValidationError({"lesion_id": "no such lesion in this case"})
            services.lesion_imaging_add(lesion=existing, actor=self.actor, **data)
            lesion = existing
        else:
            lesion = services.lesion_create(case=case, actor=self.actor, **data)
        views = selectors.lesion_views(
            list(SpinalLesion.objects.filter(pk=lesion.pk).prefetch_related("imagings")),
            case.latest_assessment,
        )
        return Response(LesionSerializer(views[0]).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["cases"])
class CaseAssessmentCreateView(_CaseView):
    @extend_schema(
        operation_id="cases_assessments_create",
        summary="Score the case as stored and keep the run (inputs, result, rules version)",
        request=AssessmentCreateSerializer,
        responses={201: AssessmentSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = self.visible_case(case_id, record=False)
        assessment = services.assessment_create(case=case, actor=self.actor)
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["cases"])
class CaseTransitionCreateView(_CaseView):
    @extend_schema(
        operation_id="cases_transitions_create",
        summary="Move the case to another phase of the care timeline",
        request=TransitionCreateSerializer,
        responses={201: PhaseEventSerializer, **errors(400, 401, 403, 404),
                   409: OpenApiResponse(PhaseConflictSerializer,
                                        description="the timeline forbids the move; "
                                                    "allowed_moves lists the permitted ones")},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = self.visible_case(case_id, record=False)
        data = validated(TransitionCreateSerializer, request.data)
        event = services.case_transition(case=case, actor=self.actor, **data)
        return Response(PhaseEventSerializer(event).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["cases"])
class CaseTimelineView(_CaseView):
    @extend_schema(
        operation_id="cases_timeline",
        summary="Every phase stay of the case, in order, with its S2 Table 4 checklist",
        responses={200: PhaseStaySerializer(many=True), **errors(401, 404)},
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_visible(user=self.actor, case_id=case_id, record=False)
        audit.record_case_read(actor=self.actor, case=case, what="timeline")
        return Response(PhaseStaySerializer(selectors.case_timeline(case=case), many=True).data)


__all__ = [
    "CaseAssessmentCreateView",
    "CaseDetailView",
    "CaseLesionCreateView",
    "CaseListCreateView",
    "CaseTimelineView",
    "CaseTransitionCreateView",
]
