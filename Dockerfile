# The app image: web (gunicorn + whitenoise), worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
RUN useradd --create-home --uid 10001 app

COPY pyproject.toml README.md ./
RUN python -m pip install pip==26.3 && pip install --group app

COPY . .
# collectstatic needs settings that import cleanly; these values exist only for this build step.
RUN DEBUG=1 python manage.py collectstatic --noinput

USER app
EXPOSE 8000
CMD ["gunicorn", "courseapp.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
