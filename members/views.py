from django.http import HttpResponse


def member_list(request):  # replaced by the members views
    return HttpResponse("")


def detail(request, pk):
    return HttpResponse("")
