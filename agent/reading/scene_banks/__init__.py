"""Scenes written by hand for the reading generator (agent/reading/scenes.py), one genre
family per module. Never drawn from the evaluation sets: those measure what these teach."""

from agent.reading.scene_banks import community, household, software, stories, work

SCENES = (*community.SCENES, *household.SCENES, *software.SCENES, *stories.SCENES, *work.SCENES)
