from .base import ApiModelSerializer, ApiSerializer, UsernameField

__all__ = ["ApiModelSerializer", "ApiSerializer", "UsernameField"]
