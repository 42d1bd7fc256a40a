"""The synthetic national data set (`manage.py generate_dataset`): reference data and two generators."""
