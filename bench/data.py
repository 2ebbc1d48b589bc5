"""Write the benchmark dataset into the migrated, empty database of DATABASE_URL.

    .venv/bin/python -m bench.data --cohorts 4 --fellows-per-cohort 500

Run from the repository root with the environment manage.py would get (the driver does both).
The options size the dataset (see dataset.Spec); every generated account's password is
`bench-password`. Prints one line of counts; each cohort is named on stderr as it is written.
"""

import argparse
import os
import sys
import time
from typing import TYPE_CHECKING

import django

if TYPE_CHECKING:
    from bench.dataset import Spec


def _sizes(value: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        message = f"expected comma-separated numbers of fellows, got {value!r}"
        raise argparse.ArgumentTypeError(message) from None


def _zones(value: str) -> tuple[str, ...]:
    return tuple(zone.strip() for zone in value.split(",") if zone.strip()) or ("UTC",)


def _parser(default: "Spec") -> argparse.ArgumentParser:
    about = __doc__.split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m bench.data", description=about)
    parser.add_argument("--cohorts", type=int, default=default.cohorts)
    parser.add_argument("--fellows-per-cohort", type=int, default=default.fellows_per_cohort)
    parser.add_argument("--units", type=int, default=default.units)
    parser.add_argument("--readings-per-unit", type=int, default=default.readings_per_unit)
    parser.add_argument("--objectives", type=int, default=default.objectives_per_unit)
    parser.add_argument("--quizzes", type=int, default=default.quizzes)
    parser.add_argument("--questions", type=int, default=default.questions)
    parser.add_argument(
        "--facilitator-cohorts",
        type=_sizes,
        default=default.facilitator_cohorts,
        help="sizes of the extra cohorts named 'Bench <n> fellows' ('' for none)",
    )
    parser.add_argument(
        "--timezones", type=_zones, default=default.timezones, help="cohort time zones, in turn"
    )
    parser.add_argument("--seed", type=int, default=default.seed)
    return parser


def spec(argv: list[str] | None = None) -> "Spec":
    """The dataset the options ask for; a bad option exits with the usage and what is wrong.
    Needs Django set up (dataset.py loads the models)."""
    from bench.dataset import Spec

    parser = _parser(Spec())
    args = parser.parse_args(argv)
    try:
        return Spec(
            cohorts=args.cohorts,
            fellows_per_cohort=args.fellows_per_cohort,
            units=args.units,
            readings_per_unit=args.readings_per_unit,
            objectives_per_unit=args.objectives,
            quizzes=args.quizzes,
            questions=args.questions,
            facilitator_cohorts=args.facilitator_cohorts,
            timezones=args.timezones,
            seed=args.seed,
        )
    except ValueError as error:
        parser.error(str(error))


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courseapp.settings")
    django.setup()
    from bench.dataset import generate

    wanted = spec(argv)
    started = time.monotonic()
    try:
        counts = generate(wanted, progress=lambda text: print(text, file=sys.stderr, flush=True))
    except ValueError as error:
        raise SystemExit(f"python -m bench.data: {error}") from None
    print(
        f"{counts.enrolments:,} enrolments ({counts.users:,} people), {counts.marks:,} "
        f"reading marks, {counts.attempts:,} attempts with {counts.answers:,} answers, "
        f"{counts.unit_feedback:,} unit and {counts.reading_feedback:,} reading feedback "
        f"in {time.monotonic() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
