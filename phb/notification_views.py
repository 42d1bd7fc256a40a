"""The notification centre: a member's in-app list of what needs their attention, page and API."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from . import serializers
from .api import OrgScopedMixin
from .mixins import OrgViewMixin
from .models import Notification
from .notifications import notifications_mark_read, unread_count
from .visibility import Data

PAGE_SIZE = 25


def notification_list(*, organisation, user):
    return Notification.objects.filter(organisation=organisation, user=user).order_by("-created_at", "-id")


class NotificationListPage(OrgViewMixin, TemplateView):
    """Every member's own list, newest first, unread ones marked; mark one or all as read."""

    template_name = "phb/notification_list.html"
    required_roles = None
    data = Data.OWN  # a member's own notifications

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notifications = notification_list(organisation=self.organisation, user=self.request.user)
        page = Paginator(notifications, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(page=page, notifications=page.object_list)
        return context

    def post(self, request, *args, **kwargs):
        which = request.POST.get("notification")
        ids = [int(which)] if which and which.isdigit() else None
        marked = notifications_mark_read(organisation=self.organisation, user=request.user, ids=ids)
        if marked:
            messages.success(request, "Marked as read." if ids else f"{marked} marked as read.")
        return redirect("notifications", org=self.organisation.code)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "key", "subject", "body", "path", "created_at", "read_at"]
        read_only_fields = fields


class NotificationListAPI(OrgScopedMixin, generics.ListAPIView):
    """GET: the user's own notifications in this organisation, newest first, with the unread count."""

    serializer_class = NotificationSerializer
    required_roles = None
    data = Data.OWN  # a member's own notifications
    queryset = Notification.objects.none()  # for the schema; get_queryset scopes it to the user

    def get_queryset(self):
        return notification_list(organisation=self.organisation, user=self.request.user)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["unread"] = unread_count(organisation=self.organisation, user=request.user)
        return response


class NotificationReadSerializer(serializers.Serializer):
    """The ids to mark read; no body, or no `ids`, marks them all."""

    ids = serializers.ListField(child=serializers.IntegerField(), required=False)


class NotificationReadAPI(OrgScopedMixin, APIView):
    """POST {"ids": [...]} (or nothing: all): mark the user's notifications here as read."""

    required_roles = None
    data = Data.OWN  # a member's own notifications

    @extend_schema(
        request=NotificationReadSerializer,
        responses=inline_serializer(
            "NotificationReadAnswer",
            {"marked": serializers.IntegerField(), "unread": serializers.IntegerField()},
        ),
    )
    def post(self, request, *args, **kwargs):
        serializer = NotificationReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data.get("ids")
        marked = notifications_mark_read(organisation=self.organisation, user=request.user, ids=ids)
        return Response(
            {"marked": marked, "unread": unread_count(organisation=self.organisation, user=request.user)}
        )
