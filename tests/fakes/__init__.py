"""Fakes of outside services that tests run against instead of the real thing."""
