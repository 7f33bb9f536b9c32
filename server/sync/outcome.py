"""How a mutation handler says "not applied": raised, caught by push, stored as the result."""


class MutationRefused(Exception):
    def __init__(self, status: str, code: str, message: str, fields=None, record=None):
        super().__init__(message)
        assert status in ("conflict", "rejected")
        self.status, self.code, self.message = status, code, message
        self.fields, self.record = fields, record

    def result(self, mutation_id: str) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"id": mutation_id, "status": self.status, "record": self.record, "error": error}


def rejected(code: str, message: str, fields=None) -> MutationRefused:
    return MutationRefused("rejected", code, message, fields)


def invalid(fields: dict) -> MutationRefused:
    return MutationRefused("rejected", "validation_failed", "Some fields are not valid.", fields)


def conflict(code: str, message: str, record: dict | None) -> MutationRefused:
    return MutationRefused("conflict", code, message, record=record)
