"""Scenes written by hand for the reading generator (agent/reading/scenes.py), one genre
family per module. Never drawn from the evaluation sets: those measure what these teach."""

from agent.reading.scene_banks import (
    civic,
    commerce,
    community,
    household,
    learning,
    leisure,
    messages,
    software,
    stories,
    work,
)

SCENES = (*community.SCENES, *household.SCENES, *software.SCENES, *stories.SCENES, *work.SCENES,
          *civic.SCENES, *commerce.SCENES, *learning.SCENES, *leisure.SCENES, *messages.SCENES)
