from django.http import HttpResponse


def tree(request):  # replaced by the branches views
    return HttpResponse("")


def detail(request, pk):
    return HttpResponse("")
