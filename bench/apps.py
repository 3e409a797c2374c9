from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Only for its management commands, `bench` and `bench_data`: the benchmarks read every app, so
    they sit above all of them (docs/decisions/0020-one-way-layers.md) rather than in `ehc`."""

    name = "bench"
    verbose_name = "Benchmarks"
