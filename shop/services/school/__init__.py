"""The school's workflows and arithmetic: grade points, GPA, enrolling, the grade book."""
