"""Pages and API routes of the imports app."""

from django.urls import path

from . import api, views

app_name = "imports"

urlpatterns: list = [
    path("imports/", views.ImportUploadView.as_view(), name="upload"),
    path("imports/template/", views.ImportTemplateDownloadView.as_view(), name="template"),
    path("imports/<int:pk>/", views.ImportPreviewView.as_view(), name="preview"),
    path("imports/<int:pk>/progress/", views.ImportProgressView.as_view(), name="progress"),
]
api_urlpatterns: list = [
    path("imports/", api.ImportListView.as_view(), name="api-imports"),
    path("imports/template/", api.ImportTemplateView.as_view(), name="api-import-template"),
    path("imports/<int:pk>/confirm/", api.ImportConfirmView.as_view(), name="api-import-confirm"),
]
