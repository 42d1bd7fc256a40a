"""Import pages: download the template, upload a sheet, see every problem by row and column, confirm."""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from phb.exceptions import InvalidInput
from phb.mixins import OrgViewMixin
from phb.visibility import Data

from . import selectors, services, sheets
from .constants import BACKGROUND_ROWS, COLUMNS, IMPORT_ROLES, ImportStatus
from .forms import UploadForm
from .models import ImportBatch


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


class ImportTemplateDownloadView(OrgViewMixin, View):
    """The blank template as CSV or XLSX (?file=csv|xlsx)."""

    model = ImportBatch
    data = Data.IMPORTS
    required_roles = IMPORT_ROLES

    def get(self, request, org):
        if request.GET.get("file") == "xlsx":
            response = HttpResponse(sheets.template_xlsx(), content_type=sheets.XLSX_TYPE)
            extension = "xlsx"
        else:
            response = HttpResponse(sheets.template_csv(), content_type="text/csv; charset=utf-8")
            extension = "csv"
        response["Content-Disposition"] = f'attachment; filename="phb-import-template.{extension}"'
        return response


class ImportUploadView(OrgViewMixin, FormView):
    """Start from today's spreadsheets: the template, the upload, and the sheets imported before."""

    model = ImportBatch
    data = Data.IMPORTS
    required_roles = IMPORT_ROLES
    template_name = "imports/upload.html"
    form_class = UploadForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = COLUMNS
        context["guidance"] = sheets.GUIDANCE
        context["batches"] = selectors.recent_batches(self.organisation)
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            batch = services.import_preview(
                actor=self.request.user,
                organisation=self.organisation,
                file_name=upload.name or "",
                content=upload.read(),
            )
        except InvalidInput as error:
            for problem in error.details.get("file", [error.message]):
                form.add_error("file", problem)
            return self.form_invalid(form)
        return HttpResponseRedirect(
            reverse("imports:preview", kwargs={"org": self.organisation.code, "pk": batch.pk})
        )


class ImportPreviewView(OrgViewMixin, TemplateView):
    """What the sheet would create, or every problem by row and column; confirm writes it all."""

    model = ImportBatch
    data = Data.IMPORTS
    required_roles = IMPORT_ROLES
    template_name = "imports/preview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.get_object()
        context["batch"] = batch
        context["is_invalid"] = batch.status == ImportStatus.INVALID
        context["is_done"] = batch.status == ImportStatus.DONE
        context["is_running"] = batch.queued_at is not None and batch.status == ImportStatus.PREVIEWED
        context["progress"] = services.import_progress(batch)
        context["shown_errors"] = batch.errors[:500]
        context["more_errors"] = max(0, len(batch.errors) - 500)
        return context

    def post(self, request, org, pk):
        batch = self.get_object()
        if len(batch.rows) > BACKGROUND_ROWS:
            services.import_queue(actor=request.user, batch=batch)
            messages.info(request, "Importing in the background: this page shows how far it has got.")
            return HttpResponseRedirect(request.path)
        batch = services.import_confirm(actor=request.user, batch=batch)
        created = batch.created
        messages.success(
            request,
            f"Imported: {_count(created['people'], 'person', 'people')}, "
            f"{_count(created['plans'], 'budget', 'budgets')} and {_count(created['items'], 'item', 'items')} "
            f"created; {_count(batch.unchanged, 'row', 'rows')} already here and left unchanged.",
        )
        return HttpResponseRedirect(request.path)


class ImportProgressView(OrgViewMixin, TemplateView):
    """The progress bar of a background import (htmx polls it); reloads the page when it is done."""

    model = ImportBatch
    data = Data.IMPORTS
    required_roles = IMPORT_ROLES
    template_name = "imports/_progress.html"

    def get(self, request, *args, **kwargs):
        batch = self.get_object()
        if batch.status == ImportStatus.DONE:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return self.render_to_response(
            {"organisation": self.organisation, "batch": batch, "progress": services.import_progress(batch)}
        )
