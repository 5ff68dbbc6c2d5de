from .base import ApiView, ProjectScopedApiView, get_object_or_404

__all__ = ["ApiView", "ProjectScopedApiView", "get_object_or_404"]
