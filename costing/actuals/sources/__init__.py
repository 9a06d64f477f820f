"""Where cost exports come from: a local file or folder, or an Azure Blob Storage container."""
