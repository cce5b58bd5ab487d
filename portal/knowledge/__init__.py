"""Categories of questions and the bilingual answers to the repeated ones."""
