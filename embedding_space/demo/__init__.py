"""The bundled demo dataset: BANKING77, 3,080 bank customer-support queries in 77 intents.

It comes with its vectors and maps for the default model computed in advance
(:mod:`~embedding_space.demo.assets`), so a fresh workspace draws its first map without
loading the model or running UMAP.

Credit: BANKING77, Casanueva et al. 2020, PolyAI; licence CC BY 4.0 (``data/LICENSE``).
"""

from __future__ import annotations

import pandas as pd

from embedding_space.demo.assets import DATA, install_packaged
from embedding_space.embed.models import model_identity
from embedding_space.embed.sentence import DEFAULT_MODEL
from embedding_space.errors import DamagedFileError
from embedding_space.store.workspace import DatasetInfo, Workspace

__all__ = ["DEMO_CREDIT", "DEMO_CSV", "DEMO_DATASET_ID", "add_demo_dataset", "ensure_demo"]

DEMO_CSV = DATA / "banking77.csv"
DEMO_DATASET_ID = "demo-banking77"
DEMO_CREDIT = "BANKING77, Casanueva et al. 2020, PolyAI (CC BY 4.0)"


def ensure_demo(workspace: Workspace) -> DatasetInfo:
    """Add the demo dataset to the workspace unless it is there already, with the packaged
    vectors and maps of the default model when they are this installation's (same model key,
    same model files, same texts) and the workspace has no vectors of that model yet.

    Returns:
        The demo dataset's info; it is shared with every user.
    """
    info = add_demo_dataset(workspace)
    identity = model_identity(DEFAULT_MODEL)
    if identity is not None:
        install_packaged(workspace, info.id, identity.cache_key)
    return info


def add_demo_dataset(workspace: Workspace) -> DatasetInfo:
    """Add the demo's rows alone (no vectors) unless they are there already.

    Returns:
        The demo dataset's info.
    """
    if workspace.exists(DEMO_DATASET_ID):
        try:
            return workspace.get(DEMO_DATASET_ID)
        except DamagedFileError:
            workspace.remove_damaged(DEMO_DATASET_ID)  # it is bundled: made afresh below
    frame = pd.read_csv(DEMO_CSV, dtype={"text": "string", "category": "string"})
    return workspace.create_dataset(
        frame,
        "text",
        "Demo: BANKING77 customer queries",
        shared=True,
        source={"file_name": DEMO_CSV.name, "format": "csv", "credit": DEMO_CREDIT},
        dataset_id=DEMO_DATASET_ID,
    )
