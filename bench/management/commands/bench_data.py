"""Build the benchmark data set into the current database with set-based SQL (bench.data).

Refuses a database holding anything bench_data did not make; rebuilds one it made before.
`python manage.py bench` builds into a database of its own and is the usual way in.
"""

from django.core.management.base import BaseCommand, CommandError

from bench import data


class Command(BaseCommand):
    help = "Build the benchmark data set (tiny, la or national) with set-based SQL into the current database"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(data.SCALES), required=True)

    def handle(self, *args, scale, **options):
        try:
            data.build(scale, out=self.stdout.write)
        except data.BenchDataRefused as exc:
            raise CommandError(str(exc)) from None
