"""GOV.UK Notify's delivery-status callback: Notify POSTs one JSON receipt per email, with the bearer
token set in its API integration settings (NOTIFY_CALLBACK_TOKEN). No session, no CSRF token: the
bearer token is the only credential, compared in constant time; without it nothing is read."""

import json

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .delivery import callback_authorised, callback_record


@csrf_exempt
@require_POST
def notify_callback(request):
    if not callback_authorised(request.headers.get("Authorization", ""), settings.NOTIFY_CALLBACK_TOKEN):
        return HttpResponse("Unauthorised", status=401, content_type="text/plain")
    try:
        payload = json.loads(request.body)
        if not isinstance(payload, dict):
            raise ValueError("a JSON object is expected")
        callback_record(payload)
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        return HttpResponseBadRequest(f"Bad receipt: {error}", content_type="text/plain")
    return HttpResponse(status=204)
