"""Generate the benchmark dataset (see courseapp/bench/dataset.py) into an empty database."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from courseapp.bench.dataset import PASSWORD, ZONES, Spec, generate

MAX_ENROLMENTS = 200_000


def _sizes(value: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise CommandError(f"Expected comma-separated numbers of fellows, got {value!r}.") from None
    if any(size < 1 for size in sizes):
        raise CommandError("Facilitator cohort sizes must be at least 1.")
    return sizes


class Command(BaseCommand):
    help = (
        "Generate a realistic benchmark dataset: one course, cohorts with fellows, reading "
        f"marks, quiz attempts and feedback. Every account's password is {PASSWORD!r}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        default = Spec()
        parser.add_argument("--cohorts", type=int, default=default.cohorts)
        parser.add_argument("--fellows-per-cohort", type=int, default=default.fellows_per_cohort)
        parser.add_argument("--units", type=int, default=default.units)
        parser.add_argument("--readings-per-unit", type=int, default=default.readings_per_unit)
        parser.add_argument("--objectives", type=int, default=default.objectives_per_unit)
        parser.add_argument("--quizzes", type=int, default=default.quizzes)
        parser.add_argument("--questions", type=int, default=default.questions)
        parser.add_argument(
            "--facilitator-cohorts",
            default=",".join(map(str, default.facilitator_cohorts)),
            help="Sizes of the extra cohorts named 'Bench <n> fellows' ('' for none).",
        )
        parser.add_argument(
            "--timezones", default=",".join(ZONES), help="Cohort time zones, taken in turn."
        )
        parser.add_argument("--seed", type=int, default=default.seed)

    def handle(self, *args, **options) -> None:
        spec = self._spec(options)
        started = time.monotonic()
        try:
            counts = generate(spec, progress=self._progress if options["verbosity"] > 1 else None)
        except ValueError as error:
            raise CommandError(str(error)) from None
        seconds = time.monotonic() - started
        self.stdout.write(
            f"{counts.enrolments:,} enrolments ({counts.users:,} people), {counts.marks:,} "
            f"reading marks, {counts.attempts:,} attempts with {counts.answers:,} answers, "
            f"{counts.unit_feedback:,} unit and {counts.reading_feedback:,} reading feedback "
            f"in {seconds:.1f} s"
        )

    def _progress(self, text: str) -> None:
        self.stdout.write(text)

    def _spec(self, options: dict) -> Spec:
        numbers = ("cohorts", "fellows_per_cohort", "units", "readings_per_unit", "questions")
        for name in numbers:
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")
        if options["quizzes"] < 0 or options["objectives"] < 0:
            raise CommandError("--quizzes and --objectives cannot be negative.")
        zones = tuple(z.strip() for z in options["timezones"].split(",") if z.strip())
        spec = Spec(
            cohorts=options["cohorts"],
            fellows_per_cohort=options["fellows_per_cohort"],
            units=options["units"],
            readings_per_unit=options["readings_per_unit"],
            objectives_per_unit=options["objectives"],
            quizzes=options["quizzes"],
            questions=options["questions"],
            facilitator_cohorts=_sizes(options["facilitator_cohorts"]),
            timezones=zones or ("UTC",),
            seed=options["seed"],
        )
        if spec.enrolments > MAX_ENROLMENTS:
            raise CommandError(
                f"At most {MAX_ENROLMENTS:,} enrolments (asked for {spec.enrolments:,})."
            )
        return spec
