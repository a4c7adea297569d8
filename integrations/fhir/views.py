"""The FHIR R4 REST interface under /api/v1/fhir/: read, search-type, metadata.

What makes a standard client work: answers are ``application/fhir+json`` (``_format`` and
``Accept`` negotiated, anything else a 406), every error is an ``OperationOutcome`` (never
``{"detail"}`` or HTML), a read carries ``ETag: W/"<versionId>"`` and ``Last-Modified`` and
honours ``If-None-Match``, a search answers a ``searchset`` Bundle with paging links.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.http import Http404
from django.utils import timezone
from django.utils.http import http_date
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tumorboard.api import IF_NONE_MATCH, NOT_MODIFIED, conditional_response
from tumorboard.api_errors import errors

from ..serializers import FhirResourceSerializer
from . import capability, codes, read, resources
from .search import PARAMS, SearchError, parse

FHIR_JSON = "application/fhir+json"
#: Media ranges and _format values that get FHIR JSON (application/json+fhir is the DSTU2 name
#: older clients still send).
ACCEPTED = {FHIR_JSON, "application/json", "application/json+fhir", "application/*", "*/*"}
FORMATS = {"json", FHIR_JSON, "application/json", "application/json+fhir"}
ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found",
               405: "not-supported", 406: "not-supported", 415: "not-supported",
               429: "throttled"}
MESSAGES = {401: "authentication required: Authorization: Token <key>",
            403: "not allowed", 404: "no such resource among those you may see",
            405: "method not supported", 406: "only FHIR JSON is served (application/fhir+json)",
            415: "unsupported media type", 429: "rate limit reached; see Retry-After"}


class FhirJSONRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir"
    charset = "utf-8"


class FhirNegotiation(BaseContentNegotiation):
    """FHIR JSON or a 406: ``_format`` wins over ``Accept`` (R4 http.html#mime-type)."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any,
                        format_suffix: str | None = None) -> Any:
        renderer = renderers[0]
        wanted = request.query_params.get("_format")
        if wanted is not None:
            if wanted.split(";")[0].strip().lower() in FORMATS:
                return renderer, renderer.media_type
            raise exceptions.NotAcceptable()
        accept = request.headers.get("Accept", "").strip()
        for media_range in (accept.split(",") if accept else ["*/*"]):
            kind, *options = [part.strip().lower() for part in media_range.split(";")]
            if kind in ACCEPTED and not any(o.replace(" ", "") in ("q=0", "q=0.0", "q=0.00",
                                                                   "q=0.000") for o in options):
                return renderer, renderer.media_type
        raise exceptions.NotAcceptable()


def outcome(code: int, diagnostics: str, *, expression: str = "",
            headers: dict[str, str] | None = None) -> Response:
    issue: dict[str, Any] = {"severity": "error", "code": ISSUE_CODES.get(code, "processing"),
                             "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return Response({"resourceType": "OperationOutcome", "issue": [issue]}, status=code,
                    headers=headers)


def outcome_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as an OperationOutcome; the message never quotes the request."""
    if isinstance(exc, SearchError):
        return outcome(400, f"search parameter '{exc.param}' {exc.reason}", expression=exc.param)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return outcome(404, MESSAGES[404])
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: a 500, logged as every other
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        headers["Retry-After"] = str(int(wait) + 1)
    return outcome(exc.status_code, MESSAGES.get(exc.status_code, "bad request"),
                   headers=headers)


OPERATION_OUTCOME = OpenApiResponse(
    inline_serializer("FhirOperationOutcome", {
        "resourceType": serializers.ChoiceField(choices=["OperationOutcome"]),
        "issue": inline_serializer("FhirOperationOutcomeIssue", {
            "severity": serializers.CharField(),
            "code": serializers.CharField(help_text="an IssueType code (invalid, not-found...)"),
            "diagnostics": serializers.CharField(),
            "expression": serializers.ListField(child=serializers.CharField(), required=False),
        }, many=True)}),
    description="an OperationOutcome saying what went wrong (issue code and diagnostics)")
ERRORS = {400: OPERATION_OUTCOME, 401: OPERATION_OUTCOME, 404: OPERATION_OUTCOME,
          406: OPERATION_OUTCOME, **errors(429)}
FORMAT = OpenApiParameter("_format", str, required=False,
                          description="json or application/fhir+json (the only format served)")


class FhirView(APIView):
    renderer_classes = [FhirJSONRenderer]
    parser_classes: list[Any] = []
    content_negotiation_class = FhirNegotiation

    def get_exception_handler(self) -> Any:
        return outcome_handler


def fhir_base(request: Request) -> str:
    """The absolute URL of /api/v1/fhir, as this request reached it."""
    path = request.path
    return request.build_absolute_uri(path[:path.index("/fhir/") + len("/fhir")])


def resource_response(request: Request, data: dict[str, Any]) -> Response:
    """A read: ETag W/"versionId" and Last-Modified from meta, 304 on a matching
    If-None-Match (R4 http.html#versioning)."""
    etag = f'W/"{data["meta"]["versionId"]}"'
    sent = {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}
    headers = {"ETag": etag}
    if data["meta"].get("lastUpdated"):
        headers["Last-Modified"] = http_date(
            datetime.fromisoformat(data["meta"]["lastUpdated"]).timestamp())
    if etag in sent or etag.removeprefix("W/") in sent or "*" in sent:
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(data, headers=headers)


def read_view(kind: str, reader: Any, summary: str) -> type[APIView]:
    @extend_schema(tags=["fhir"])
    class ReadView(FhirView):
        @extend_schema(operation_id=f"fhir_{kind.lower()}", summary=summary,
                       parameters=[IF_NONE_MATCH, FORMAT],
                       responses={200: FhirResourceSerializer, 304: NOT_MODIFIED, **ERRORS})
        def get(self, request: Request, pk: Any) -> Response:
            return resource_response(request, reader(user=request.user, pk=pk))

    ReadView.__name__ = f"Fhir{kind}View"
    return ReadView


def search_view(kind: str) -> type[APIView]:
    @extend_schema(tags=["fhir"])
    class SearchView(FhirView):
        @extend_schema(
            operation_id=f"fhir_{kind.lower()}_search",
            summary=f"Search {kind}: a searchset Bundle, paged by _count and _offset",
            parameters=[FORMAT, *[OpenApiParameter(name, str, required=False,
                                                   description=f"{typ}: {text}")
                                  for name, (typ, text) in PARAMS[kind].items()],
                        OpenApiParameter("_count", int, required=False),
                        OpenApiParameter("_offset", int, required=False)],
            responses={200: FhirResourceSerializer, **ERRORS})
        def get(self, request: Request) -> Response:
            search = parse(kind, request.query_params)
            total, found = read.SEARCHES[kind](user=request.user, search=search)
            return Response(searchset(request, kind, search, total, found))

    SearchView.__name__ = f"Fhir{kind}SearchView"
    return SearchView


def searchset(request: Request, kind: str, search: Any, total: int,
              found: list[dict[str, Any]]) -> dict[str, Any]:
    base = fhir_base(request)
    kept = [(name, value) for name in request.query_params if name != "_offset"
            for value in request.query_params.getlist(name) if name != "_count"]

    def link(relation: str, offset: int) -> dict[str, str]:
        query = urlencode([*kept, ("_count", search.count), ("_offset", offset)])
        return {"relation": relation, "url": f"{base}/{kind}?{query}"}

    links = [link("self", search.offset), link("first", 0)]
    if search.offset + search.count < total:
        links.append(link("next", search.offset + search.count))
    if search.offset > 0:
        links.append(link("previous", max(0, search.offset - search.count)))
    return {
        "resourceType": "Bundle",
        "id": uuid.uuid4().hex,  # a searchset is not stored: a fresh id per answer
        "type": "searchset",
        "timestamp": timezone.now().isoformat(),
        "total": total,
        "link": links,
        "entry": [{"fullUrl": f"{base}/{res['resourceType']}/{res['id']}", "resource": res,
                   "search": {"mode": "match"}} for res in found],
    }


@extend_schema(tags=["fhir"])
class MetadataView(FhirView):
    """Public, as FHIR clients fetch it before they authenticate; it holds no patient data."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="fhir_metadata", parameters=[FORMAT],
                   summary="The CapabilityStatement: exactly what this server supports",
                   responses={200: FhirResourceSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(capability.statement(base=fhir_base(request)))


@extend_schema(tags=["fhir"])
class CodeSystemView(FhirView):
    """The service's spine-score CodeSystem at its canonical URL: public terminology."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="fhir_codesystem_spine_scores", parameters=[FORMAT],
                   summary="The CodeSystem of the spine scores",
                   responses={200: FhirResourceSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        data = resources.stamp(codes.code_system(), updated=None)
        return resource_response(request, data)


@extend_schema(exclude=True)
class UnknownView(FhirView):
    """Any other path under fhir/: a 404 OperationOutcome, never Django's HTML page."""

    permission_classes = [AllowAny]

    def get(self, request: Request, rest: str) -> Response:
        raise Http404

    post = put = patch = delete = get


@extend_schema(tags=["fhir"])
class CaseBundleView(FhirView):
    @extend_schema(operation_id="cases_fhir_bundle", parameters=[IF_NONE_MATCH],
                   summary="Everything about the case as one FHIR R4 Bundle (collection)",
                   # Outside fhir/, an id too long for the URL is the site's 404 page: the
                   # 404 is documented without a body, as on the other case routes.
                   responses={200: FhirResourceSerializer, 304: NOT_MODIFIED, **ERRORS,
                              404: OpenApiResponse(description="no such case among yours")})
    def get(self, request: Request, case_id: int) -> Response:
        base = request.build_absolute_uri("/api/v1/fhir").rstrip("/")
        data = read.case_bundle(user=request.user,  # type: ignore[arg-type]
                                case_id=case_id, base_url=base)
        return conditional_response(request, data)
