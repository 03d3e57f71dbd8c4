"""Steps that several browser tests take: passing a quiz with the right answers."""

from pathlib import Path

from playwright.sync_api import expect

from portal.assessment.core import model_response

CONTENT = Path(__file__).resolve().parents[2] / "content" / "modules"


def take_the_quiz_by_mouse(page, auditor, quiz) -> None:
    """Start the quiz on the section page and pass it with the right answers, by mouse."""
    page.get_by_role("button", name="Starta provet").click()
    for _ in range(quiz.length):
        question = quiz.question(page.locator("input[name=question]").get_attribute("value"))
        answer = model_response(question)
        match question.kind.value:
            case "single" | "truefalse":
                page.check(f"#answer-{answer}")
            case "multiple":
                for option_id in answer:
                    page.check(f"#answer-{option_id}")
            case "ordering":
                for place, item_id in enumerate(answer, start=1):
                    page.select_option(f"#position-{item_id}", str(place))
            case "matching":
                for premise_id, choice_id in answer.items():
                    page.select_option(f"#match-{premise_id}", choice_id)
            case "numeric":
                page.fill("#answer", answer)
        with page.expect_navigation():
            page.locator(".quiz-buttons button").first.click()
    page.get_by_role("button", name="Lämna in provet").click()
    expect(page.locator("main")).to_contain_text("Godkänt.")
    auditor.check()
