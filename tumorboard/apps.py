from django.apps import AppConfig


class TumorboardConfig(AppConfig):
    name = "tumorboard"
    verbose_name = "People and teams"

    def ready(self) -> None:
        from .noecho import quote_no_input

        quote_no_input()
