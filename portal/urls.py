from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("home/breast/", views.home_breast, name="home-breast"),
    path("home/neuro/", views.home_neuro, name="home-neuro"),
    path("home/coordinator/", views.home_coordinator, name="home-coordinator"),
    path("home/oncology/", views.home_oncology, name="home-oncology"),
    path("home/specialist/", views.home_specialist, name="home-specialist"),
    path("home/radiation-oncology/", views.home_radonc, name="home-radonc"),
    path("home/admin/", views.home_admin, name="home-admin"),
]
