"""The "API tokens" page (user menu → API tokens): list, create, revoke."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from personalize_admin.core.errors import DomainError
from personalize_admin.core.forms import add_domain_error
from personalize_admin.core.htmx import redirect as htmx_redirect
from personalize_admin.core.htmx import render_page_or_partial

from .. import services
from ..forms import CreateTokenForm
from ..models import ApiToken


class TokenListView(LoginRequiredMixin, TemplateView):
    template_name = "api/tokens.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tokens"] = list(ApiToken.objects.for_user(self.request.user).active())
        context.setdefault("form", CreateTokenForm())
        context["api_base_url"] = self.request.build_absolute_uri("/api")
        return context


class TokenCreateView(LoginRequiredMixin, View):
    """Creates a token and shows its key once, in the answer to this POST: the key
    is not stored, so there is nothing to redirect to."""

    def get(self, request):
        return redirect("tokens:list")

    def post(self, request):
        form = CreateTokenForm(request.POST)
        if form.is_valid():
            try:
                token, key = services.create_token(
                    user=request.user, name=form.cleaned_data["name"]
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, f'Token "{token.name}" created.')
                return self._render(
                    request, CreateTokenForm(), status=201, new_token=token, new_key=key
                )
        return self._render(request, form, status=422)

    def _render(self, request, form, status, **extra):
        view = TokenListView(request=request, kwargs={})
        context = view.get_context_data(form=form, **extra)
        response = render_page_or_partial(
            request, TokenListView.template_name, "tokens-panel", context, status
        )
        response["Cache-Control"] = "no-store"  # the page may hold a new key
        return response


class TokenRevokeView(LoginRequiredMixin, View):
    def get_token(self, request, uid):
        return get_object_or_404(ApiToken.objects.for_user(request.user).active(), uid=uid)

    def get(self, request, uid):
        self.get_token(request, uid)
        return redirect("tokens:list")

    def post(self, request, uid):
        token = services.revoke_token(token=self.get_token(request, uid), actor=request.user)
        messages.success(
            request, f'Token "{token.name}" revoked. Requests that send it are now refused.'
        )
        return htmx_redirect(request, reverse("tokens:list"))
