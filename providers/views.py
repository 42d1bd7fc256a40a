"""Pages of a provider's login (/provider/), and the org admin's page of a supplier's logins."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from phb.constants import Role
from phb.exceptions import Conflict, InvalidInput
from phb.mixins import OrgViewMixin, form_errors_from
from phb.visibility import Data
from support_plans.models import Supplier

from . import exports, selectors, services
from .constants import InstalmentFilter
from .forms import InstalmentFilterForm, PaymentFilterForm, ProviderLoginForm

PAGE_SIZE = 25
# A CSV holds at most this many lines: a year of weekly instalments for a few hundred budgets.
CSV_ROWS = 20_000


class ProviderPageMixin(LoginRequiredMixin):
    """A provider's login only: for anyone else these pages do not exist (404)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.is_provider_account(request.user):
            raise Http404("No such page.")
        return super().dispatch(request, *args, **kwargs)

    def navigation(self) -> list[dict]:
        return [
            {"label": "Payments received", "url": reverse("provider-home")},
            {"label": "Instalments due", "url": reverse("provider-instalments")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["navigation"] = self.navigation()
        context["suppliers"] = selectors.suppliers_of(self.request.user).order_by(
            "organisation__name", "name"
        )
        return context


class _ProviderListView(ProviderPageMixin, TemplateView):
    form_class: type = PaymentFilterForm
    csv_name = ""

    def get(self, request, *args, **kwargs):
        self.form = self.form_class(
            request.GET or None, organisations=selectors.organisations_paying(request.user)
        )
        if request.GET.get("format") == "csv":
            lines = [self.line(row) for row in self.rows()[:CSV_ROWS]]
            name = f"{self.csv_name}-{timezone.localdate().isoformat()}.csv"
            return HttpResponse(
                self.csv(lines),
                content_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        return super().get(request, *args, **kwargs)

    def filters(self) -> dict:
        if self.form.is_bound and self.form.is_valid():
            return {k: v for k, v in self.form.cleaned_data.items() if v}
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(self.rows(), PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(form=self.form, page=page, lines=[self.line(row) for row in page])
        context["csv_query"] = self.request.GET.copy()
        context["csv_query"].pop("page", None)
        context["csv_query"]["format"] = "csv"
        return context


class ProviderPaymentsView(_ProviderListView):
    """What the organisations paid this login's suppliers, newest first."""

    template_name = "providers/payments.html"
    form_class = PaymentFilterForm
    csv_name = "payments-received"

    def rows(self):
        return selectors.payments_to(self.request.user, organisation=self.filters().get("organisation", ""))

    def line(self, row) -> dict:
        return {**selectors.payment_line(row), "day": row.entry_date}

    def csv(self, lines) -> str:
        return exports.payments_csv(lines)


class ProviderInstalmentsView(_ProviderListView):
    """Instalments falling due on plan items of this login's suppliers, soonest first."""

    template_name = "providers/instalments.html"
    form_class = InstalmentFilterForm
    csv_name = "instalments"

    def rows(self):
        filters = self.filters()
        return selectors.instalments_for(
            self.request.user,
            organisation=filters.get("organisation", ""),
            status=filters.get("status", InstalmentFilter.DUE),
        )

    def line(self, row) -> dict:
        return {**selectors.instalment_line(row), "day": row.due_on}

    def csv(self, lines) -> str:
        return exports.instalments_csv(lines)


class SupplierLoginsView(OrgViewMixin, TemplateView):
    """The org admin gives a supplier of the directory a login (and sees, or removes, its logins)."""

    template_name = "providers/supplier_logins.html"
    model = Supplier
    data = Data.STAFF
    required_roles = [Role.ORG_ADMIN]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        supplier = kwargs.get("supplier") or self.get_object()
        context.update(
            supplier=supplier,
            logins=selectors.logins_of(supplier),
            form=form or ProviderLoginForm(organisation=self.organisation),
        )
        return context

    def post(self, request, *args, **kwargs):
        supplier = self.get_object()
        if "remove" in request.POST:
            raw = request.POST["remove"]
            user = selectors.login_of(supplier, int(raw)) if raw.isdecimal() else None
            if user is None:
                raise Http404("No such login.")
            services.provider_revoke(actor=request.user, supplier=supplier, user=user)
            messages.success(request, f"{user.username} can no longer see {supplier}.")
            return redirect("providers:supplier-logins", org=self.organisation.code, pk=supplier.pk)
        form = ProviderLoginForm(request.POST, organisation=self.organisation)
        if form.is_valid():
            try:
                user = services.provider_login_create(
                    actor=request.user, supplier=supplier, **form.cleaned_data
                )
            except (InvalidInput, Conflict) as error:
                form_errors_from(form, error)
            else:
                messages.success(
                    request, f"Login {user.username} created: it shows what {supplier} is paid and owed."
                )
                return redirect("providers:supplier-logins", org=self.organisation.code, pk=supplier.pk)
        return self.render_to_response(self.get_context_data(form=form, supplier=supplier))
