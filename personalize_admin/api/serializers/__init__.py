from .base import ApiModelSerializer, ApiSerializer, UsernameField
from .fields import BooleanField, CharField, ChoiceField, IntegerField

__all__ = [
    "ApiModelSerializer",
    "ApiSerializer",
    "BooleanField",
    "CharField",
    "ChoiceField",
    "IntegerField",
    "UsernameField",
]
