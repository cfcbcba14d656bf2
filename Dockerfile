# The portal's image: web (gunicorn), worker and beat (Celery) and the one-off bootstrap job all run
# it (docker-compose.yml). Built from uv.lock; runs as the unprivileged user `portal`.
FROM python:3.11-slim-bookworm

RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv==0.13.9
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home --shell /usr/sbin/nologin portal

WORKDIR /app
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .

ENV PATH="/app/.venv/bin:$PATH" \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
# Translations and static files are built into the image. The production settings refuse to load
# without their services; these stand-ins only satisfy them (nothing is connected to at build time).
RUN DJANGO_SECRET_KEY=build-only-0000000000000000000000000000000000000000000 \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid:5432/build \
    REDIS_URL=redis://build.invalid:6379/0 \
    EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
    PORTAL_SITE_URL=https://build.invalid \
    sh -c "python manage.py compilemessages -v0 && python manage.py collectstatic --no-input -v0" \
    && mkdir -p /data/private /app/var \
    && chown -R portal:portal /data/private /app/var

# The private files (uploads, letters) live in a named volume mounted here (docker-compose.yml).
VOLUME ["/data/private"]
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--config", "deploy/gunicorn.conf.py"]
