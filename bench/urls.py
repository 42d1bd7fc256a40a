"""The benchmark's URL, mounted under /bench/ by the root URL configuration when this app is installed."""

from django.urls import path

from . import views

urlpatterns = [path("floor/", views.floor)]
