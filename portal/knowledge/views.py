"""The public answers page, and the senior manager's editor for it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.access import public, role_required
from portal.auth.roles import Role
from portal.extensions import db
from portal.i18n import current_language
from portal.knowledge import services
from portal.knowledge.forms import ArticleForm
from portal.knowledge.models import Article

bp = Blueprint("knowledge", __name__)


@bp.get("/answers")
@public
def answers():
    """Answers to the questions families ask most, in the reader's language."""
    return render_template(
        "knowledge/answers.html",
        groups=services.published_by_category(),
    )


@bp.get("/knowledge/manage")
@role_required(Role.SENIOR_MANAGER)
def manage():
    return render_template("knowledge/manage.html", articles=services.all_articles())


def _form(article: Article | None) -> ArticleForm:
    form = ArticleForm(obj=article)
    if article is not None and request.method == "GET":
        form.category.data = article.category_id
    language = current_language()
    form.category.choices = [SelectChoice(c.id, c.name(language)) for c in services.categories()]
    return form


def _edit(article: Article | None):  # noqa: ANN202
    form = _form(article)
    if form.validate_on_submit():
        saved = services.save_article(
            article,
            services.ArticleInput(
                category_id=form.category.data,
                question_en=form.question_en.data,
                question_es=form.question_es.data,
                answer_en=form.answer_en.data,
                answer_es=form.answer_es.data,
                published=bool(form.published.data),
                sort_order=form.sort_order.data or 0,
            ),
            actor_id=current_user.id,
            ip=request.remote_addr,
        )
        flash(_l("The answer has been saved."), "success")
        return redirect(url_for("knowledge.manage") + f"#article-{saved.id}", code=303)
    return render_template("knowledge/edit.html", form=form, article=article), (
        422 if form.errors else 200
    )


@bp.route("/knowledge/manage/new", methods=["GET", "POST"])
@role_required(Role.SENIOR_MANAGER)
def new_article():
    return _edit(None)


@bp.route("/knowledge/manage/<int:article_id>", methods=["GET", "POST"])
@role_required(Role.SENIOR_MANAGER)
def edit_article(article_id: int):
    article = db.session.get(Article, article_id)
    if article is None:
        abort(404)
    return _edit(article)
