from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's tooling, no part of the product: installed only when BENCH is on (phb/settings.py).

    `manage.py generate_dataset` (the synthetic national data set, bench/dataset/) and the framework
    floor view at /bench/floor/ (bench/views.py); the load generator itself is bench/run.py.
    """

    name = "bench"
    verbose_name = "Benchmark tooling"
