"""Discord's shards split over two `memo-bot run` processes (``DISCORD_SHARD_IDS``): each
connects only its own shard, and a server's commands reach the process holding its shard."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import URL

from tests.adapters.operations.discord_process import LAUNCHER, REPOSITORY, discord_environment
from tests.adapters.operations.probing import readiness_becomes, sample
from tests.adapters.slack.running import running_process
from tests.fakes.discord import FakeDiscord

TOKEN = "discord-token"
SHARDS = 2
#: Discord puts a server on shard ``(id >> 22) % shard_count``: these two land on 0 and 1.
GUILD_OF_SHARD = {0: 1300000000000000001 & ~(1 << 22), 1: 1300000000000000001 | (1 << 22)}
CHANNEL_OF_SHARD = {0: 1300000000000000011, 1: 1300000000000000012}
ALICE = 1300000000000000101
_HEALTH_SERVED = re.compile(r"health and metrics served at http://127\.0\.0\.1:(\d+)")


def _add(fake: FakeDiscord, shard: int) -> dict[str, Any]:
    """``/memo add`` in the channel of the server on ``shard``."""
    options = [
        {"name": "session", "type": 3, "value": "샤드 세션"},
        {"name": "text", "type": 3, "value": f"샤드 {shard}의 메모"},
    ]
    return dict(
        fake.slash_command(
            guild_id=GUILD_OF_SHARD[shard],
            channel_id=CHANNEL_OF_SHARD[shard],
            user_id=ALICE,
            name="memo",
            options=[{"name": "add", "type": 1, "options": options}],
        )
    )


def _added(port: int) -> float:
    return sample(port, "memo_commands_total", command="AddMemo", platform="discord", outcome="ok")


def test_two_processes_each_connect_their_own_shard_and_answer_their_servers(
    fake_discord: FakeDiscord, database_url: URL
) -> None:
    for shard, guild in GUILD_OF_SHARD.items():
        assert (guild >> 22) % SHARDS == shard
        fake_discord.add_guild(guild, f"Server {shard}", [CHANNEL_OF_SHARD[shard]])

    def environment(shard_ids: str) -> dict[str, str]:
        return discord_environment(
            fake_discord,
            database_url,
            TOKEN,
            DISCORD_SHARD_COUNT=str(SHARDS),
            DISCORD_SHARD_IDS=shard_ids,
            MEMO_HEALTH_PORT="0",
            MEMO_HEALTH_HOST="127.0.0.1",
        )

    with (
        running_process([*LAUNCHER, "run"], environment("0"), REPOSITORY) as first,
        running_process([*LAUNCHER, "run"], environment("1"), REPOSITORY) as second,
    ):
        ports = [int(bot.wait_for_log(_HEALTH_SERVED).group(1)) for bot in (first, second)]
        for port in ports:
            readiness_becomes(port, 200)
        fake_discord.wait_for_shards(SHARDS)

        answers = {
            shard: fake_discord.wait_for_callback(
                fake_discord.send_interaction(_add(fake_discord, shard))
            )
            for shard in (1, 0)
        }
        added = [_added(port) for port in ports]
        assert first.stop() == 0, first.log
        assert second.stop() == 0, second.log

    assert sorted(fake_discord.identified_shards) == [[0, SHARDS], [1, SHARDS]], (
        "each shard identified once, by one process"
    )
    assert fake_discord.calls_to("GET /gateway/bot") == [], "the shard count is fixed"
    for answer in answers.values():
        assert answer["type"] == 4, answer
        assert "샤드 세션" in answer["data"]["content"], answer
    assert added == [1, 1], "the server on shard 1 was answered by the second process"
    assert "Discord connected: shard(s) 0 of 2" in first.log
    assert "Discord connected: shard(s) 1 of 2" in second.log
