from league.ranking import rank_teams

SEASON_2024 = [
    ("Rovers", "United"),
    ("United", "Athletic"),
    ("Athletic", "Rovers"),
    ("Rovers", "City"),
    ("City", "Wanderers"),
    ("United", "Wanderers"),
]


def assert_respects_head_to_head(order, results):
    position = {team: i for i, team in enumerate(order)}
    for winner, loser in results:
        assert position[winner] < position[loser], f"{winner} beat {loser} but is ranked below"


def test_simple_chain():
    results = [("A", "B"), ("B", "C")]
    assert rank_teams(results) == ["A", "B", "C"]


def test_every_team_is_ranked_once():
    order = rank_teams(SEASON_2024)
    assert sorted(order) == ["Athletic", "City", "Rovers", "United", "Wanderers"]


def test_season_2024_respects_head_to_head():
    assert_respects_head_to_head(rank_teams(SEASON_2024), SEASON_2024)
