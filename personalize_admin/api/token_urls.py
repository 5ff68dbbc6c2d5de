from django.urls import path

from .views import tokens

app_name = "tokens"

urlpatterns = [
    path("", tokens.TokenListView.as_view(), name="list"),
    path("new/", tokens.TokenCreateView.as_view(), name="create"),
    path("<str:uid>/revoke/", tokens.TokenRevokeView.as_view(), name="revoke"),
]
