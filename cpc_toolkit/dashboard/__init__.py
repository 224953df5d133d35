"""Voilà dashboards (national, cour, juridiction) over the same package functions as the reports."""
