"""The 1688 Open Platform client: signing, HTTP calls, OAuth, typed errors and API wrappers.

Plain Python and requests; nothing here imports Django models. Spec: docs/1688-protocol.md.
"""

from sourcing.alibaba.client import AlibabaClient
from sourcing.alibaba.errors import AlibabaError, TransientError
from sourcing.alibaba.signing import sign_params, sign_request

__all__ = ["AlibabaClient", "AlibabaError", "TransientError", "sign_params", "sign_request"]
