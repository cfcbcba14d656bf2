"""Audit of sign-ins, sign-outs and lockouts; API tokens revoked when an account's credentials change."""

from axes.signals import user_locked_out
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import m2m_changed, post_delete, pre_save
from django.dispatch import receiver

from .audit import audit_record, client_ip
from .models import User
from .permissions import model_permissions_changed
from .services_tokens import api_tokens_revoke_all, credentials_change_revocation


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action="auth.login", target=user, ip=client_ip(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="auth.logout", target=user, ip=client_ip(request))


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit_record(
        actor=None, action="auth.locked_out", target_type="portal.user", target_id=username or "", ip=ip_address
    )


@receiver(pre_save, sender=User)
def _credentials_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    """Every path that changes a password or deactivates an account saves the user — the password
    change and reset pages, the admin, `manage.py changepassword`, the services — so the tokens are
    revoked here, in the saving transaction, rather than in each of them."""
    if raw:
        return
    reason = credentials_change_revocation(instance, update_fields=update_fields)
    if reason is not None:
        api_tokens_revoke_all(user=instance, reason=reason)


# The cached answer of "does this staff account hold any model permission" (portal.permissions,
# the admin-site link on every staff page) is dropped whenever a permission or a membership changes.
for _through in (User.user_permissions.through, User.groups.through, Group.permissions.through):
    m2m_changed.connect(model_permissions_changed, sender=_through, dispatch_uid=f"model-perms-{_through.__name__}")
for _model in (Group, Permission):
    post_delete.connect(model_permissions_changed, sender=_model, dispatch_uid=f"model-perms-{_model.__name__}")
