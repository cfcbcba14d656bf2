from django.conf import settings


def portal(request):
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {"PORTAL_NAME": settings.PORTAL_NAME, "unread_notifications": unread, "OIDC_ENABLED": settings.OIDC_ENABLED}
