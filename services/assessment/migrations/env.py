from services.assessment.read_models import metadata
from shared.migrations import run_migrations

run_migrations(metadata)
