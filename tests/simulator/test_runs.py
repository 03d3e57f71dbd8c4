"""Runs of trygghetskedjan: the demo, exercises and their scoring, the controls, certification evidence,
races between workers and pruning. Through the routes where a person would act, through the services
where only a worker can (a race, the clock of the CLI)."""

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from portal.alarmchain import Actor
from portal.certification.core import Requirement, RequirementKind
from portal.certification.services import apply_rules, evidence_of, local_today
from portal.certification.sync import load_certifications, sync_certifications
from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from portal.models import InputKind, RunMode, SimulationInput, SimulationRun, UnitKind, utcnow
from portal.simulator import labels, services
from portal.simulator.catalogue import scenarios
from portal.simulator.template_helpers import feedback_text
from tests.content.builders import write_module

FALL = "01-natt-fall-med-talkontakt"  # voice contact; the automated chain closes it in about 11 steps
SILENT = "03-ingen-talkontakt"  # no voice contact; the exercise the night patrol's certification needs
LIVE = {"X-Live": "1"}  # what the page's script sends: the answer is the live part, not a redirect
OPTION = re.compile(r'name="option" value="([^"]+)"')
TIMELINE_ITEM = re.compile(r'<li data-seq="\d+">')
# Home care's way through a case without voice contact: hand-over and report-back come before the notes.
HOME_CARE_PATH = ("acknowledge", "arrive", "call_112", "hand_over", "report_back", "document")


def exercise_done_on(user_id: int):
    """The last day the person passed an exercise of the silent scenario, as certification sees it."""
    requirement = Requirement(RequirementKind.EXERCISE, SILENT)
    return evidence_of(user_id, [requirement]).done_on(requirement)


def sv(message: str, **params) -> str:
    """``message`` as a Swedish reader sees it in a page."""
    with force_locale("sv"):
        return str(gettext(message) % params)  # as Jinja's newstyle gettext: "%%" is "%"


def text(page: str) -> str:
    """A page's text with its HTML entities resolved, to compare with what the reader sees."""
    return html.unescape(page)


def fresh(run_id: str) -> SimulationRun:
    db.session.expire_all()
    return db.session.get(SimulationRun, run_id)


def inputs_of(run_id: str) -> list[SimulationInput]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(SimulationInput).where(SimulationInput.run_id == run_id).order_by(SimulationInput.seq)
        )
    )


def state_of(run_id: str) -> tuple:
    """What a change to a run changes: compare before and after to see that nothing did."""
    run = fresh(run_id)
    return run.revision, run.virtual_now, run.speed, run.finished_at


def run_id_of(response) -> str:
    assert response.status_code == 302, response.text[:300]
    location = response.headers["Location"]
    assert location.startswith("/trygghetskedjan/runs/"), location
    return location.rsplit("/", 1)[-1]


def start_exercise(client, slug: str = SILENT, role: str = "home_care") -> str:
    return run_id_of(client.post(f"/trygghetskedjan/ovningar/{slug}", data={"role": role}))


def control(client, run_id: str, what: str, **form):
    return client.post(f"/trygghetskedjan/runs/{run_id}/{what}", data=form, headers=LIVE)


def live_part(client, run_id: str) -> str:
    response = client.get(f"/trygghetskedjan/runs/{run_id}/live")
    assert response.status_code == 200
    return response.text


def step(client, run_id: str) -> str:
    response = control(client, run_id, "step")
    assert response.status_code == 200, response.text[:300]
    return response.text


def options(page: str) -> dict[str, str]:
    """The action buttons of a page: action -> the option key the button posts."""
    return {key.split(":")[2]: key for key in OPTION.findall(page)}


def step_until_offered(client, run_id: str, action: str, limit: int = 15) -> dict[str, str]:
    page = live_part(client, run_id)
    for _ in range(limit):
        if action in options(page):
            return options(page)
        page = step(client, run_id)
    raise AssertionError(f"{action} was never offered")


def act(client, run_id: str, action: str) -> str:
    response = control(client, run_id, "act", option=options(live_part(client, run_id))[action])
    assert response.status_code == 200, response.text[:300]
    return response.text


def play_home_care(client, run_id: str, *, late: bool = False, path=HOME_CARE_PATH) -> None:
    """Home care in the silent scenario: acknowledge (after the 5-minute target, if ``late``), then
    the rest of ``path`` with a couple of minutes between the actions."""
    step_until_offered(client, run_id, "acknowledge")
    dispatched = fresh(run_id).virtual_now  # stepping stops at the dispatch that offers the button
    for _ in range(10 if late else 0):
        if fresh(run_id).virtual_now - dispatched > timedelta(minutes=6):
            break
        step(client, run_id)
    for action in path:
        act(client, run_id, action)
        assert control(client, run_id, "advance", seconds="120").status_code == 200


def finish(client, run_id: str) -> SimulationRun:
    response = client.post(f"/trygghetskedjan/runs/{run_id}/finish")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/runs/{run_id}#result")
    return fresh(run_id)


@pytest.fixture
def demo(client) -> str:
    return run_id_of(client.post("/trygghetskedjan/runs", data={"scenario": FALL}))


@pytest.fixture
def trainee(org, make_user, login):
    person = make_user(org)
    login(person)
    return person


@pytest.fixture
def exercise(client, trainee) -> str:
    return start_exercise(client)


# The demo ------------------------------------------------------------------------------------------
def test_a_demo_is_started_and_shown_by_its_link(client, demo):
    run = fresh(demo)
    assert (run.mode, run.scenario_slug, run.role, run.user_id, run.revision) == (
        RunMode.DEMO, FALL, None, None, 0,
    )  # fmt: skip
    page = client.get(f"/trygghetskedjan/runs/{demo}").text
    assert "Fall på natten – talkontakt" in page
    assert sv("Step to the next event") in text(page)
    assert sv("The person does not answer") in text(page)  # a demo offers faults to inject


def test_an_unknown_scenario_starts_nothing(client):
    response = client.post("/trygghetskedjan/runs", data={"scenario": "finns-inte"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/trygghetskedjan#demo"
    assert sv("Choose one of the scenarios.") in text(client.get("/trygghetskedjan").text)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SimulationRun)) == 0


def test_a_client_may_start_only_so_many_runs_an_hour(app, client):
    app.config["SIMULATOR_RUNS_PER_HOUR"] = 2
    for _ in range(2):
        run_id_of(client.post("/trygghetskedjan/runs", data={"scenario": FALL}))
    response = client.post("/trygghetskedjan/runs", data={"scenario": FALL})
    assert response.status_code == 429
    assert sv(
        "You have started many runs in the last hour. Wait a while, or go on with one you have."
    ) in text(response.text)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SimulationRun)) == 2
    elsewhere = client.post(
        "/trygghetskedjan/runs", data={"scenario": FALL}, environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    run_id_of(elsewhere)  # the limit is per client, not for everybody


def test_a_step_moves_the_clock_to_the_next_event(client, demo):
    before = fresh(demo).virtual_now
    shown = len(TIMELINE_ITEM.findall(live_part(client, demo)))
    page = step(client, demo)
    revision, first, _, _ = state_of(demo)
    assert first > before
    assert revision == 1
    assert len(TIMELINE_ITEM.findall(page)) > shown
    later = step(client, demo)
    assert fresh(demo).virtual_now > first
    assert len(TIMELINE_ITEM.findall(later)) > len(TIMELINE_ITEM.findall(page))


def test_stepping_to_the_end_closes_the_case_and_sums_up_the_times(client, demo):
    page = live_part(client, demo)
    assert sv("Times over the run's alarm cases") not in text(page)
    for _ in range(20):
        if 'data-over="1"' in page:
            break
        page = step(client, demo)
    assert sv("Everything is closed: the chain is complete.") in text(page)
    assert sv("Times over the run's alarm cases") in text(page)  # the SLA summary's table
    for measure in ("Answer", "Dispatch", "Arrival"):
        assert f'<th scope="row">{sv(measure)}</th>' in text(page)
    assert sv("Everything is closed: the chain is complete.") in text(
        client.get(f"/trygghetskedjan/runs/{demo}").text
    )


def test_the_script_gets_the_live_part_and_a_form_gets_a_redirect(client, demo):
    scripted = control(client, demo, "step")
    assert scripted.status_code == 200
    assert "data-run-state" in scripted.text
    assert "<html" not in scripted.text
    plain = client.post(f"/trygghetskedjan/runs/{demo}/step")
    assert plain.status_code in (302, 303)
    assert plain.headers["Location"] == f"/trygghetskedjan/runs/{demo}#live"
    assert fresh(demo).revision == 2


def test_the_clock_moves_by_the_seconds_asked(client, demo):
    before = fresh(demo).virtual_now
    assert control(client, demo, "advance", seconds="600").status_code == 200
    assert fresh(demo).virtual_now == before + timedelta(minutes=10)


def test_without_the_script_a_minute_can_be_let_pass(client, demo):
    page = client.get(f"/trygghetskedjan/runs/{demo}").text
    form = re.search(r'<form method="post" action="([^"]+/advance)"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None
    assert 'name="seconds" value="60"' in form.group(2)
    assert sv("Let a minute pass") in text(form.group(2))
    before = fresh(demo).virtual_now
    response = client.post(form.group(1), data={"seconds": "60"})
    assert response.status_code == 302
    assert fresh(demo).virtual_now - before == timedelta(minutes=1)


@pytest.mark.parametrize("seconds", ["0", "-5", "601", "3600", "tio", ""])
def test_the_clock_refuses_a_bad_number_of_seconds(client, demo, seconds):
    before = state_of(demo)
    message = sv("The clock can move from 1 second to 10 minutes at a time.")
    scripted = control(client, demo, "advance", seconds=seconds)
    assert scripted.status_code == 400
    assert message in text(scripted.text)
    plain = client.post(f"/trygghetskedjan/runs/{demo}/advance", data={"seconds": seconds})
    assert plain.status_code == 302
    assert message in text(client.get(plain.headers["Location"]).text)
    assert state_of(demo) == before


def test_the_speed_is_one_of_the_speeds(client, demo):
    assert control(client, demo, "speed", speed="30").status_code == 200
    run = fresh(demo)
    assert (run.speed, run.revision) == (30, 1)


@pytest.mark.parametrize("speed", ["7", "0", "-10", "fast", ""])
def test_a_bad_speed_is_refused(client, demo, speed):
    before = state_of(demo)
    response = control(client, demo, "speed", speed=speed)
    assert response.status_code == 400
    assert sv("Choose one of the speeds.") in text(response.text)
    assert state_of(demo) == before


def test_the_speed_service_refuses_what_the_route_would_not_send(client, demo):
    with pytest.raises(services.RunError) as refused:
        services.set_speed(fresh(demo), 7)
    assert refused.value.code == "bad_speed"
    assert fresh(demo).revision == 0


def test_no_answer_injected_into_the_demo_sends_home_care_anyway(client, demo):
    assert control(client, demo, "inject", injection="no_answer").status_code == 200
    assert [(row.seq, row.kind, row.body) for row in inputs_of(demo)] == [
        (1, InputKind.INJECTION, "no_answer")
    ]
    page = live_part(client, demo)
    for _ in range(6):
        page = step(client, demo)
    events = services.live(fresh(demo)).events
    operator = [str(e.action) for e in events if e.actor is Actor.OPERATOR]
    assert operator[:3] == ["no_voice", "callback_unanswered", "dispatch"]
    assert "answer" not in operator  # nobody spoke through the unit
    for action in ("no_voice", "callback_unanswered", "dispatch"):
        with force_locale("sv"):
            assert labels.done_label("case", action) in text(page)


def test_faults_are_injected_only_in_the_demo(client, exercise):
    before = state_of(exercise)
    response = control(client, exercise, "inject", injection="no_answer")
    assert response.status_code == 409
    assert sv("Faults can be injected only in the demo.") in text(response.text)
    assert state_of(exercise) == before
    assert inputs_of(exercise) == []


@pytest.mark.parametrize("injection", ["fire", "", "NO_ANSWER"])
def test_an_unknown_fault_is_refused(client, demo, injection):
    before = state_of(demo)
    response = control(client, demo, "inject", injection=injection)
    assert response.status_code == 400
    assert sv("Choose one of the things that can go wrong.") in text(response.text)
    assert state_of(demo) == before
    assert inputs_of(demo) == []


# Exercises -----------------------------------------------------------------------------------------
def test_a_trainee_starts_an_exercise_in_a_role(client, trainee, exercise):
    run = fresh(exercise)
    assert (run.mode, run.scenario_slug, run.role, run.user_id) == (
        RunMode.EXERCISE,
        SILENT,
        "home_care",
        trainee.id,
    )
    page = client.get(f"/trygghetskedjan/runs/{exercise}").text
    assert "Ingen talkontakt" in page
    assert sv("Finish and see my result") in text(page)
    assert sv("The person does not answer") not in text(page)  # no faults to inject in an exercise


def test_an_exercise_needs_a_role_the_scenario_has(client, trainee):
    response = client.post(f"/trygghetskedjan/ovningar/{SILENT}", data={"role": "larmteam"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/trygghetskedjan/ovningar"
    assert sv("Choose one of the roles this scenario has an exercise for.") in text(
        client.get("/trygghetskedjan/ovningar").text
    )
    assert client.post("/trygghetskedjan/ovningar/finns-inte", data={"role": "home_care"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SimulationRun)) == 0


RUN_ROUTES = [
    ("GET", ""), ("GET", "/live"), ("POST", "/step"), ("POST", "/advance"), ("POST", "/speed"),
    ("POST", "/inject"), ("POST", "/act"), ("POST", "/finish"), ("POST", "/scaip"),
]  # fmt: skip
FORMS = {"/advance": {"seconds": "60"}, "/speed": {"speed": "30"}, "/inject": {"injection": "no_answer"},
         "/act": {"option": "case:C0001:acknowledge:"}}  # fmt: skip


@pytest.mark.parametrize(("method", "suffix"), RUN_ROUTES)
def test_an_exercise_is_its_trainees_alone(client, org, make_user, login, exercise, method, suffix):
    before = state_of(exercise)
    url = f"/trygghetskedjan/runs/{exercise}{suffix}"
    client.post("/logout")
    assert client.open(url, method=method, data=FORMS.get(suffix, {})).status_code == 404  # anonymous
    login(make_user(org))
    assert client.open(url, method=method, data=FORMS.get(suffix, {})).status_code == 404
    assert state_of(exercise) == before
    assert fresh(exercise).finished_at is None


def test_an_action_from_the_page_is_recorded(client, exercise):
    offered = step_until_offered(client, exercise, "acknowledge")
    assert offered["acknowledge"] == "case:C0001:acknowledge:"
    page = act(client, exercise, "acknowledge")
    (row,) = inputs_of(exercise)
    assert row.kind is InputKind.PERSON
    assert row.at == fresh(exercise).virtual_now
    events = services.live(fresh(exercise)).events
    assert [e.action for e in events if e.actor is Actor.HOME_CARE] == ["acknowledge"]
    assert "acknowledge" not in options(page)
    assert "arrive" in options(page)


def test_an_action_the_chain_refuses_says_why_and_changes_nothing(client, trainee):
    run_id = start_exercise(client, FALL, "operator")
    act(client, run_id, "answer")
    act(client, run_id, "dispatch")
    close = step_until_offered(client, run_id, "close", limit=20)["close"]
    before, recorded = state_of(run_id), len(inputs_of(run_id))
    response = control(client, run_id, "act", option=close)
    assert response.status_code == 422
    with force_locale("sv"):  # a fall was reported as a deviation: the manager must follow up first
        reason = labels.refusal_label("transition.refused", "follow_up_required")
    assert reason in text(response.text)
    assert state_of(run_id) == before
    assert len(inputs_of(run_id)) == recorded
    plain = client.post(f"/trygghetskedjan/runs/{run_id}/act", data={"option": close})
    assert plain.status_code == 302
    assert reason in text(client.get(plain.headers["Location"]).text)


def test_an_action_no_longer_offered_is_refused(client, exercise):
    options_now = step_until_offered(client, exercise, "acknowledge")
    act(client, exercise, "acknowledge")
    before = state_of(exercise)
    for stale in (options_now["acknowledge"], "case:C0001:close:", "case:C9999:arrive:"):
        response = control(client, exercise, "act", option=stale)
        assert response.status_code == 409
        assert sv("That can no longer be done: the situation has changed. Look again and choose.") in text(
            response.text
        )
    assert state_of(exercise) == before
    assert len(inputs_of(exercise)) == 1


@pytest.mark.parametrize("option", ["", "x" * 201])
def test_an_action_must_be_named(client, exercise, option):
    before = state_of(exercise)
    response = control(client, exercise, "act", option=option)
    assert response.status_code == 400
    assert sv("Choose one of the actions.") in text(response.text)
    assert state_of(exercise) == before


def test_a_perfect_exercise_passes(client, exercise):
    play_home_care(client, exercise)
    run = finish(client, exercise)
    assert (run.percent, run.points, run.max_points, run.passed) == (100, 8, 8, True)
    assert [step["verdict"] for step in run.result["steps"]] == ["correct"] * 4
    page = client.get(f"/trygghetskedjan/runs/{exercise}").text
    assert sv("Passed") in text(page)
    assert sv("%(points)d of %(max)d points (%(percent)d %%).", points=8, max=8, percent=100) in text(page)


def test_a_late_and_undocumented_exercise_is_not_passed_and_says_why(client, exercise):
    play_home_care(client, exercise, late=True, path=HOME_CARE_PATH[:-1])
    run = finish(client, exercise)
    verdicts = {step["step"]: step for step in run.result["steps"]}
    assert verdicts["acknowledge"]["verdict"] == "late"
    assert verdicts["document"]["verdict"] == "missed"
    assert run.percent < 100
    assert run.passed is False
    page = client.get(f"/trygghetskedjan/runs/{exercise}").text
    assert sv("Not passed") in text(page)
    assert sv(
        "You pass with at least 80 %% of the points, every step done and no action that is wrong in the situation."
    ) in text(page)
    with force_locale("sv"):
        for step_name in ("acknowledge", "document"):
            step_result = verdicts[step_name]
            said = feedback_text(step_result["feedback"]["code"], step_result["feedback"]["params"],
                                 step_result["action"], step_result["kind"])  # fmt: skip
            assert said in text(page)
    assert '<li class="verdict-late">' in page
    assert '<li class="verdict-missed">' in page
    assert exercise_done_on(fresh(exercise).user_id) is None


def test_a_finished_exercise_takes_no_more_changes(client, exercise):
    step_until_offered(client, exercise, "acknowledge")
    run = finish(client, exercise)
    finished_at = run.finished_at
    before = state_of(exercise)
    for what, form in (("step", {}), ("advance", {"seconds": "60"}), ("speed", {"speed": "30"}),
                       ("act", {"option": "case:C0001:acknowledge:"})):  # fmt: skip
        response = control(client, exercise, what, **form)
        assert response.status_code == 409, what
        assert sv("The exercise is finished. Start a new one to practise again.") in text(response.text)
    assert state_of(exercise) == before
    assert finish(client, exercise).finished_at == finished_at  # finishing again changes nothing


def test_only_an_exercise_is_scored(client, demo):
    response = client.post(f"/trygghetskedjan/runs/{demo}/finish")
    assert response.status_code == 302
    assert sv("Only an exercise is scored.") in text(client.get(response.headers["Location"]).text)
    assert fresh(demo).finished_at is None


def test_the_exercises_page_lists_scenarios_per_role_and_my_results(client, org, make_user, login, trainee):
    passed = start_exercise(client)
    play_home_care(client, passed)
    finish(client, passed)
    unfinished = start_exercise(client, FALL, "operator")
    page = client.get("/trygghetskedjan/ovningar").text

    def listed(role: str) -> set[str]:
        section = page.split(f'<section aria-labelledby="role-{role}">')[1].split("</section>")[0]
        assert set(re.findall(r'name="role" value="([^"]+)"', section)) == {role}
        return set(re.findall(r'action="/trygghetskedjan/ovningar/([^"]+)"', section))

    assert {SILENT, FALL} <= listed("home_care")
    assert {SILENT, FALL} <= listed("operator")
    assert "09-massavbrott" in listed("manager")
    assert SILENT not in listed("manager") | listed("larmteam")
    assert "09-massavbrott" not in listed("home_care") | listed("operator")
    assert set().union(*(listed(role) for role in ("home_care", "operator", "larmteam", "manager"))) == set(
        scenarios()
    )
    home_care = page.split('<section aria-labelledby="role-home_care">')[1].split("</section>")[0]
    item = home_care.split(f'id="exercise-home_care-{SILENT}"')[1].split("</li>")[0]
    assert sv("You have passed this exercise.") in text(item)
    results = page.split('aria-labelledby="results-heading"')[1]
    assert f'href="/trygghetskedjan/runs/{passed}"' in results
    assert f'href="/trygghetskedjan/runs/{unfinished}"' in results
    assert sv("Passed, %(percent)d %%", percent=100) in text(results)
    assert sv("Not finished") in text(results)
    client.post("/logout")
    login(make_user(org))
    assert f"/trygghetskedjan/runs/{passed}" not in client.get("/trygghetskedjan/ovningar").text


# Certification -------------------------------------------------------------------------------------
NIGHT_PATROL_CERTIFICATION = """
title: {sv: "Nattpatrull: larm utan talkontakt", en: "Night patrol: an alarm without voice contact"}
summary: {sv: Övning för nattpatrullen., en: An exercise for the night patrol.}
version: "1.0"
requirements:
  - module: att-atgarda-ett-larm
  - exercise: 03-ingen-talkontakt
unit_kinds: [night_patrol]
"""


@pytest.fixture
def night_patroller(app, tmp_path, org, make_unit, make_user, login):
    """Someone in a night patrol, assigned the night patrol's certification by its rule (any position:
    the file names only the unit kind)."""
    modules, certifications = tmp_path / "modules", tmp_path / "certifications"
    modules.mkdir()
    certifications.mkdir()
    write_module(modules, slug="att-atgarda-ett-larm")
    (certifications / "nattpatrull-larm-utan-talkontakt.yaml").write_text(NIGHT_PATROL_CERTIFICATION)
    sync_modules(load_modules(modules))
    sync_certifications(load_certifications(certifications, {"att-atgarda-ett-larm"}))
    person = make_user(org, unit=make_unit(org, "Nattpatrullen", UnitKind.NIGHT_PATROL))
    assert apply_rules(local_today()).added == 1
    db.session.commit()
    login(person)
    return person


def exercise_requirement(client) -> str:
    page = client.get("/learning/certifications").text
    name = sv("Exercise in the chain of safety: %(name)s", name="Ingen talkontakt")
    items = [item for item in text(page).split("<li>") if name in item.split("</li>")[0]]
    assert len(items) == 1, page
    return items[0].split("</li>")[0]


def test_a_passed_exercise_is_evidence_for_the_certification(client, night_patroller):
    assert sv("Left to do:") in text(exercise_requirement(client))
    run_id = start_exercise(client)
    play_home_care(client, run_id)
    assert finish(client, run_id).passed is True
    assert exercise_done_on(night_patroller.id) == local_today()
    done = exercise_requirement(client)
    assert "status-done" in done
    assert sv("Left to do:") not in text(done)


def test_a_failed_exercise_is_no_evidence(client, night_patroller):
    run_id = start_exercise(client)
    play_home_care(client, run_id, late=True, path=HOME_CARE_PATH[:-1])
    assert finish(client, run_id).passed is False
    assert exercise_done_on(night_patroller.id) is None
    assert "status-done" not in exercise_requirement(client)


# Two workers, one run ------------------------------------------------------------------------------
def bump_revision_elsewhere(run_id: str) -> None:
    """What another worker's change does to the row: committed on a connection of its own."""
    with db.engine.connect() as other:
        other.execute(
            sa.update(SimulationRun)
            .where(SimulationRun.id == run_id)
            .values(revision=SimulationRun.revision + 1, speed=30)
        )
        other.commit()


def test_a_change_that_loses_a_race_is_played_again_and_applied_once(client, exercise, monkeypatch):
    key = step_until_offered(client, exercise, "acknowledge")["acknowledge"]
    run = fresh(exercise)
    revision = run.revision
    real_live, seen = services.live, []

    def racing_live(racing_run, **kwargs):
        if not seen:  # another worker changes the speed while this one decides
            bump_revision_elsewhere(racing_run.id)
        seen.append(racing_run.revision)
        return real_live(racing_run, **kwargs)

    monkeypatch.setattr(services, "live", racing_live)
    services.act(run, key)
    monkeypatch.undo()
    assert seen[0] == revision
    assert revision + 1 in seen  # decided again, on the other worker's revision
    run = fresh(exercise)
    assert (run.revision, run.speed) == (revision + 2, 30)  # both changes kept
    assert [(row.seq, row.kind) for row in inputs_of(exercise)] == [(revision + 2, InputKind.PERSON)]
    events = services.live(run).events
    assert [e.action for e in events if e.actor is Actor.HOME_CARE] == ["acknowledge"]


def test_a_run_changed_by_others_every_time_asks_to_try_again(client, exercise, monkeypatch):
    step_until_offered(client, exercise, "acknowledge")
    real_live = services.live

    def always_racing(racing_run, **kwargs):
        bump_revision_elsewhere(racing_run.id)
        return real_live(racing_run, **kwargs)

    monkeypatch.setattr(services, "live", always_racing)
    response = control(client, exercise, "act", option="case:C0001:acknowledge:")
    monkeypatch.undo()
    assert response.status_code == 409
    assert sv("Many changes reached this run at once. Try again.") in text(response.text)
    assert inputs_of(exercise) == []


# Housekeeping --------------------------------------------------------------------------------------
def test_prune_deletes_stale_runs_with_their_inputs(app, runner, org, make_user):
    person, now, scenario = make_user(org), utcnow(), scenarios()[FALL]

    def made(name: str, mode: RunMode, idle: timedelta, finished: bool = False) -> str:
        exercise = mode is RunMode.EXERCISE
        run = services.create_run(scenario, mode=mode, client=f"test:{name}", user=person if exercise else None,
                                  role="home_care" if exercise else None)  # fmt: skip
        run.touched_at = now - idle
        run.finished_at = now - idle if finished else None
        run.revision = 1
        db.session.add(SimulationInput(run_id=run.id, seq=1, kind=InputKind.INJECTION, at=run.virtual_now,
                                       body="no_answer"))  # fmt: skip
        db.session.commit()
        return run.id

    made("old-demo", RunMode.DEMO, timedelta(hours=25))
    fresh_demo = made("fresh-demo", RunMode.DEMO, timedelta(hours=23))
    made("abandoned", RunMode.EXERCISE, timedelta(days=31))
    paused = made("paused", RunMode.EXERCISE, timedelta(days=29))
    finished = made("finished", RunMode.EXERCISE, timedelta(days=400), finished=True)

    result = runner.invoke(args=["alarmchain", "prune"])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 runs." in result.output
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(SimulationRun.id))) == {fresh_demo, paused, finished}
    assert {row.run_id for row in db.session.scalars(sa.select(SimulationInput))} == {
        fresh_demo,
        paused,
        finished,
    }
    assert "Deleted 0 runs." in runner.invoke(args=["alarmchain", "prune"]).output
