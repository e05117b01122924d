"""The reference for tests/test_serializer.py: real DRF serializers (a ModelSerializer over a
model with most field kinds, a plain Serializer with lists, dicts and a nested one) run on the
cases read from stdin; drf-spectacular's schemas of them and DRF's answers go to stdout.

Run as a script in its own process (`python tests/helpers_serializer_drf.py [--split]`), since
Django is configured once per process; importing it configures nothing.
"""

import json
import sys


def main() -> None:

    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="reference-only",
        USE_TZ=True,
        TIME_ZONE="UTC",
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "rest_framework",
            "drf_spectacular",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        REST_FRAMEWORK={"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"},
        SPECTACULAR_SETTINGS={"COMPONENT_SPLIT_REQUEST": "--split" in sys.argv},
    )
    django.setup()

    from django.core.validators import MaxValueValidator, MinValueValidator
    from django.db import connection, models
    from django.http import QueryDict
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework import mixins, routers, serializers, viewsets

    class Maker(models.Model):
        name = models.CharField(max_length=60)

        class Meta:
            app_label = "contenttypes"

    class Tag(models.Model):
        name = models.CharField(max_length=30)

        class Meta:
            app_label = "contenttypes"

    class OrderLine(models.Model):
        STATUS = (("draft", "Draft"), ("active", "Active"))
        name = models.CharField(max_length=10)
        slug = models.SlugField(max_length=20)
        description = models.TextField(blank=True)
        sku = models.CharField(max_length=12, unique=True)
        code = models.UUIDField()
        price = models.DecimalField(max_digits=6, decimal_places=2)
        ratio = models.DecimalField(max_digits=3, decimal_places=3, null=True, blank=True)
        stock = models.PositiveIntegerField()
        rank = models.IntegerField(default=5)
        is_available = models.BooleanField()
        featured = models.BooleanField(default=False)
        status = models.CharField(max_length=10, choices=STATUS)
        grade = models.CharField(
            max_length=1, choices=[("a", "A"), ("b", "B")], blank=True, null=True
        )
        priority = models.IntegerField(choices=[(1, "Low"), (2, "High")])
        maker = models.ForeignKey(Maker, on_delete=models.CASCADE, related_name="+")
        category = models.ForeignKey(
            Maker, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
        )
        tags = models.ManyToManyField(Tag, blank=True, related_name="+")
        labels = models.ManyToManyField(Tag, related_name="+")
        email = models.EmailField()
        website = models.URLField(blank=True)
        weight = models.FloatField(null=True, blank=True)
        rating = models.FloatField(validators=[MinValueValidator(0), MaxValueValidator(5)])
        created = models.DateTimeField()
        released = models.DateField(null=True, blank=True)
        opens = models.TimeField(null=True, blank=True)
        extra = models.JSONField(default=dict, blank=True)

        class Meta:
            app_label = "contenttypes"

    class OrderLineSerializer(serializers.ModelSerializer):
        class Meta:
            model = OrderLine
            fields = "__all__"

    class AddressSerializer(serializers.Serializer):
        street = serializers.CharField(max_length=5)
        zip = serializers.IntegerField()

    class ExtrasSerializer(serializers.Serializer):
        numbers = serializers.ListField(
            child=serializers.IntegerField(min_value=0), min_length=1, max_length=3
        )
        words = serializers.ListField(child=serializers.CharField(), required=False)
        anything = serializers.ListField(required=False)
        mapping = serializers.DictField(child=serializers.IntegerField(), required=False)
        address = AddressSerializer(required=False)
        addresses = AddressSerializer(many=True, required=False)
        flag = serializers.BooleanField(default=True)
        level = serializers.IntegerField(default=3)
        note = serializers.CharField(required=False, allow_null=True)
        secret = serializers.CharField(write_only=True, required=False)
        code = serializers.RegexField(r"^[A-Z]{2}\d$", required=False)

    class OrderLineViewSet(viewsets.ModelViewSet):
        queryset = OrderLine.objects.all()
        serializer_class = OrderLineSerializer

    class ExtrasViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
        serializer_class = ExtrasSerializer

    router = routers.SimpleRouter()
    router.register("lines", OrderLineViewSet)
    router.register("extras", ExtrasViewSet, basename="extras")

    with connection.schema_editor() as editor:
        for model in (Maker, Tag, OrderLine):
            editor.create_model(model)
    Maker.objects.bulk_create([Maker(id=1, name="a"), Maker(id=2, name="b")])
    Tag.objects.bulk_create([Tag(id=i, name=str(i)) for i in (1, 2, 3)])
    OrderLine.objects.create(
        name="x",
        slug="x",
        sku="TAKEN",
        code="12345678-1234-5678-1234-567812345678",
        price="1",
        stock=1,
        is_available=True,
        status="draft",
        priority=1,
        maker_id=1,
        email="a@b.org",
        rating=1,
        created="2024-01-01T00:00:00Z",
    )

    schema = SchemaGenerator(patterns=router.urls).get_schema(request=None, public=True)
    classes = {"OrderLine": OrderLineSerializer, "Extras": ExtrasSerializer}
    answers = []
    for case in json.loads(sys.stdin.read()):
        body = case["body"]
        if case["form"]:
            data = QueryDict(mutable=True)
            for key, values in body.items():
                data.setlist(key, values)
            body = data
        many = case.get("many", False)
        serializer = classes[case["serializer"]](data=body, partial=case["partial"], many=many)
        if serializer.is_valid():
            fields = serializer.child.fields if many else serializer.fields

            def shown(validated, fields=fields):
                return {
                    k: None if v is None else fields[k].to_representation(v)
                    for k, v in validated.items()
                }

            validated = serializer.validated_data
            answer = {"data": [shown(v) for v in validated] if many else shown(validated)}
        else:
            answer = {"errors": serializer.errors}
        answers.append(json.loads(json.dumps(answer, default=str)))
    print(json.dumps({"schemas": schema["components"]["schemas"], "answers": answers}, default=str))


if __name__ == "__main__":
    main()
