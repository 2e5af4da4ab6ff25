"""The bundled demo dataset: BANKING77, 3,080 bank customer-support queries in 77 intents.

Credit: BANKING77, Casanueva et al. 2020, PolyAI; licence CC BY 4.0 (``data/LICENSE``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from embedding_space.store.workspace import DatasetInfo, Workspace

__all__ = ["DEMO_CREDIT", "DEMO_CSV", "DEMO_DATASET_ID", "ensure_demo"]

DEMO_CSV = Path(__file__).resolve().parent / "data" / "banking77.csv"
DEMO_DATASET_ID = "demo-banking77"
DEMO_CREDIT = "BANKING77, Casanueva et al. 2020, PolyAI (CC BY 4.0)"


def ensure_demo(workspace: Workspace) -> DatasetInfo:
    """Add the demo dataset to the workspace unless it is there already.

    Returns:
        The demo dataset's info; it is shared with every user.
    """
    if workspace.exists(DEMO_DATASET_ID):
        return workspace.get(DEMO_DATASET_ID)
    frame = pd.read_csv(DEMO_CSV, dtype={"text": "string", "category": "string"})
    return workspace.create_dataset(
        frame,
        "text",
        "Demo: BANKING77 customer queries",
        shared=True,
        source={"file_name": DEMO_CSV.name, "format": "csv", "credit": DEMO_CREDIT},
        dataset_id=DEMO_DATASET_ID,
    )
