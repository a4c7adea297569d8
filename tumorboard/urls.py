from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from . import views
from .converters import IdConverter

# <id:...> in every route with an object id, pages and API: an integer that fits a database key
# (a longer one is a 404; Django's <int:...> let a 26-digit id reach PostgreSQL: a 500).
register_converter(IdConverter, "id")

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("system/probe/", views.send_probe, name="send-probe"),
    path("session/keepalive/", views.session_keepalive, name="session-keepalive"),
    path("health/", views.health, name="health"),
    path("scores/", include("scoring.urls")),
    path("cases/", include("cases.urls")),
    path("referrals/", include("referrals.urls")),
    path("meetings/", include("meetings.urls")),
    path("tasks/", include("followthrough.urls")),
    path("admin/", admin.site.urls),
    path("", include("portal.urls")),
    path("api/v1/", include("tumorboard.api_urls")),
    path("", include("integrations.cdshooks.urls")),  # CDS Hooks 2.0: /cds-services
]

# A path under /api/ that matches no route answers JSON, as every other API error does.
handler404 = "tumorboard.views.page_not_found"
