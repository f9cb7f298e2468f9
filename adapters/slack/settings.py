"""Slack's settings, from the environment and ``.env`` (README "Slack", ``.env.example``)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from adapters.platform import PlatformSettings
from adapters.slack.app import SlackConfig


class SlackSettings(PlatformSettings):
    """Named as Slack's own docs and tools name them; the HTTP server's as the bot's."""

    bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    client_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_CLIENT_SECRET")
    redirect_uri: str | None = Field(default=None, validation_alias="SLACK_REDIRECT_URI")
    api_base_url: str = Field(
        default="https://slack.com/api/", validation_alias="SLACK_API_BASE_URL"
    )
    #: Where the HTTP server for Slack events and installs listens (Slack must reach it).
    http_host: str = Field(default="0.0.0.0", validation_alias="MEMO_HTTP_HOST")  # noqa: S104
    http_port: int = Field(default=3000, ge=0, le=65535, validation_alias="MEMO_HTTP_PORT")

    def config(self) -> SlackConfig:
        """The same settings as plain values, secrets unwrapped, for building the app."""

        def secret(value: SecretStr | None) -> str | None:
            return value.get_secret_value() if value is not None else None

        return SlackConfig(
            api_base_url=self.api_base_url,
            bot_token=secret(self.bot_token),
            signing_secret=secret(self.signing_secret),
            app_token=secret(self.app_token),
            client_id=self.client_id,
            client_secret=secret(self.client_secret),
            redirect_uri=self.redirect_uri,
        )
