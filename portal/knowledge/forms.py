"""The form the senior manager uses to write an answer in both languages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.textclean import clean_line, clean_text


class ArticleForm(FlaskForm):
    category = SelectField(_l("Category"), coerce=int)
    question_en = StringField(
        _l("Question in English"),
        filters=[clean_line],
        validators=[DataRequired(_l("Write the question in English.")), Length(max=200)],
    )
    answer_en = TextAreaField(
        _l("Answer in English"),
        filters=[clean_text],
        validators=[DataRequired(_l("Write the answer in English.")), Length(max=4000)],
        render_kw={"rows": 5},
    )
    question_es = StringField(
        _l("Question in Spanish"),
        filters=[clean_line],
        validators=[DataRequired(_l("Write the question in Spanish.")), Length(max=200)],
        render_kw={"lang": "es"},
    )
    answer_es = TextAreaField(
        _l("Answer in Spanish"),
        filters=[clean_text],
        validators=[DataRequired(_l("Write the answer in Spanish.")), Length(max=4000)],
        render_kw={"rows": 5, "lang": "es"},
        description=_l("Write it for Spanish-speaking families, not word for word."),
    )
    sort_order = IntegerField(
        _l("Order within the category"), default=0, validators=[Optional(), NumberRange(0, 999)]
    )
    published = BooleanField(_l("Show to families"), default=True)
