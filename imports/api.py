"""The import API: the template, uploading a sheet (a checked preview) and confirming it."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from phb import serializers
from phb.api import FileDownloadMixin, OrgScopedMixin
from phb.exceptions import InvalidInput
from phb.visibility import Data

from . import services, sheets
from .constants import IMPORT_ROLES
from .models import ImportBatch

TEMPLATE_FORMATS = ("csv", "xlsx")


class TemplateCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class TemplateXLSXRenderer(BaseRenderer):
    media_type = sheets.XLSX_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class ImportTemplateView(FileDownloadMixin, OrgScopedMixin, APIView):
    """The blank sheet to fill in: the columns of an import, in order (XLSX adds a sheet of guidance)."""

    model = ImportBatch
    data = Data.IMPORTS
    required_roles = IMPORT_ROLES
    renderer_classes = [TemplateCSVRenderer, TemplateXLSXRenderer, JSONRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=TEMPLATE_FORMATS, description="csv (default) or xlsx")
        ],
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, sheets.XLSX_TYPE): OpenApiTypes.BINARY},
    )
    def get(self, request, org):
        extension = request.accepted_renderer.format
        given = request.query_params.get("format")  # present but empty is not one of them either
        if self.unknown_format or extension not in TEMPLATE_FORMATS or given == "":
            raise InvalidInput(format=[f"Choose one of: {', '.join(TEMPLATE_FORMATS)}."])
        content = sheets.template_csv() if extension == "csv" else sheets.template_xlsx()
        response = Response(content)
        response["Content-Disposition"] = f'attachment; filename="phb-import-template.{extension}"'
        return response


class UploadInput(serializers.Serializer):
    file = serializers.FileField(help_text="The filled-in template, CSV or XLSX; one row per plan item")


class ErrorOutput(serializers.Serializer):
    row = serializers.IntegerField(help_text="The spreadsheet's row number (the header is row 1)")
    field = serializers.CharField(help_text="The column")
    message = serializers.CharField()


class CountsOutput(serializers.Serializer):
    people = serializers.IntegerField()
    plans = serializers.IntegerField()
    items = serializers.IntegerField()


class PreviewOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    rows = serializers.SerializerMethodField()
    errors = ErrorOutput(many=True)
    summary = CountsOutput()

    def get_rows(self, batch) -> int:
        return len(batch.rows)


class ImportListView(OrgScopedMixin, APIView):
    """Upload a sheet: every row is checked and the problems listed; nothing is written until confirmed."""

    model = ImportBatch
    data = Data.IMPORTS
    required_roles = IMPORT_ROLES
    parser_classes = [MultiPartParser]  # the one upload of the API; every other body is JSON
    input_rules = {"file": "a CSV in UTF-8 or an XLSX workbook, of at most the rows the template allows"}

    @extend_schema(
        request={"multipart/form-data": UploadInput},
        responses={
            status.HTTP_201_CREATED: PreviewOutput,
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: OpenApiResponse(
                response=OpenApiTypes.OBJECT, description="The body is not multipart/form-data with a file"
            ),
        },
    )
    def post(self, request, org):
        body = UploadInput(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        batch = services.import_preview(
            actor=request.user,
            organisation=self.organisation,
            file_name=upload.name or "",
            content=upload.read(),
        )
        return Response(PreviewOutput(batch).data, status=status.HTTP_201_CREATED)


class ImportConfirmView(OrgScopedMixin, APIView):
    """Write the checked sheet: people, approved budgets and opening balances, all or nothing."""

    model = ImportBatch
    data = Data.IMPORTS
    required_roles = IMPORT_ROLES

    def http_method_not_allowed(self, request, *args, **kwargs):
        self.get_object()  # another organisation's sheet is a 404 whatever the method
        return super().http_method_not_allowed(request, *args, **kwargs)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "ImportDone",
            {
                "status": serializers.CharField(),
                "created": CountsOutput(),
                "unchanged": serializers.IntegerField(),
            },
        ),
    )
    def post(self, request, org, pk):
        batch = services.import_confirm(actor=request.user, batch=self.get_object())
        return Response({"status": batch.status, "created": batch.created, "unchanged": batch.unchanged})
