from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .models import User


class MeSerializer(serializers.ModelSerializer):
    enterprise_id = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "enterprise_id"]

    def get_enterprise_id(self, user) -> int | None:
        membership = getattr(user, "membership", None)
        return membership.enterprise_id if membership else None


@extend_schema(responses=MeSerializer, summary="当前用户 / the signed-in user")
@api_view(["GET"])
def me(request):
    return Response(MeSerializer(request.user).data)
