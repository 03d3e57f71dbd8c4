"""Trygghetsportalen: training, competence records and the alarm-chain demo for trygghetslarm.

Deliberately import-free, so that ``import portal.alarmchain`` loads no Flask. The app factory is
``portal.app.create_app``.
"""
