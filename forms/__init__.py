"""Forms as plain domain steps: a form's state and what a person sent in, the next state and
what to show out. No Telegram and no database here: a handler reads the update into an input,
loads the form and the facts its step needs, calls the step, saves the state it returns and
renders what it says to show (handlers/task_forms.py `settle`).
"""
