"""The app's URLs plus a view that fails, to see the 500 page as a visitor would."""

from django.urls import path

from personalize_admin.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("__broken__/", broken), *urlpatterns]
